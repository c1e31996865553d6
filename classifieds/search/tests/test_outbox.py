"""Indexing goes through the outbox: an event in the writer's transaction, a task after commit, a re-drive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.listings.services import listing_set_attributes, listings_changed
from classifieds.listings.tests.factories import ListingFactory
from classifieds.search.backends import get_search_backend
from classifieds.search.query import ListingQuery, OptionFilter
from classifieds.search.services import TOPIC, search_process_events
from classifieds.search.tasks import redrive_search_events_task
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import AttributeFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cars():
    category = CategoryFactory(name="Легковые")
    AttributeFactory(
        category=category, key="make", type=Attribute.Type.CHOICE, filterable=True, options=["chevrolet", "daewoo"]
    )
    return category


def found(category, value: str) -> list[int]:
    option = category.attributes.get(key="make").options.get(value=value)
    query = ListingQuery(
        category_id=category.pk, category_is_leaf=True, options=(OptionFilter("attrs.make", (option.pk,)),)
    )
    return get_search_backend().ids(query, offset=0, limit=100)


class TestOutbox:
    def test_a_listing_write_records_an_event_in_the_same_transaction(self, cars):
        listing = ListingFactory(category=cars)
        with pytest.raises(RuntimeError), transaction.atomic():
            listing_set_attributes(listing=listing, values={"make": "chevrolet"})
            assert Event.objects.filter(topic=TOPIC, subject_id=str(listing.pk)).exists()
            raise RuntimeError("the write fails")
        assert not Event.objects.filter(topic=TOPIC, subject_id=str(listing.pk)).exists()

    def test_nothing_is_indexed_before_commit_and_everything_after(self, cars, django_capture_on_commit_callbacks):
        listing = ListingFactory(category=cars)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            listing_set_attributes(listing=listing, values={"make": "chevrolet"})
        assert found(cars, "chevrolet") == []  # inside the request: not indexed
        for callback in callbacks:
            callback()  # commit: the task runs (Huey is immediate in tests)
        assert found(cars, "chevrolet") == [listing.pk]
        event = Event.objects.get(topic=TOPIC, subject_id=str(listing.pk))
        assert event.processed_at is not None

    def test_a_lost_task_is_redriven(self, cars, django_capture_on_commit_callbacks):
        listing = ListingFactory(category=cars)
        with django_capture_on_commit_callbacks(execute=False):
            listing_set_attributes(listing=listing, values={"make": "daewoo"})  # the worker dies: never runs
        assert found(cars, "daewoo") == []
        assert redrive_search_events_task.call_local() == 0  # too fresh: the task may still come
        Event.objects.filter(topic=TOPIC).update(created_at=timezone.now() - timedelta(minutes=5))
        assert redrive_search_events_task.call_local() == 1
        assert found(cars, "daewoo") == [listing.pk]
        assert not Event.objects.filter(topic=TOPIC, processed_at__isnull=True).exists()

    def test_a_listing_that_is_no_longer_active_is_removed(self, cars):
        listing = ListingFactory(category=cars)
        listing_set_attributes(listing=listing, values={"make": "chevrolet"})
        search_process_events()
        assert found(cars, "chevrolet") == [listing.pk]
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)
        listings_changed(listing_ids=[listing.pk], reason="sold")
        assert search_process_events() == 1
        assert found(cars, "chevrolet") == []

    def test_processed_events_are_not_processed_again(self, cars):
        listing = ListingFactory(category=cars)
        listings_changed(listing_ids=[listing.pk, listing.pk])
        assert search_process_events() == 1
        assert search_process_events() == 0


class TestSummaryCache:
    def test_counts_are_cached_until_the_indexer_runs(self, cars, settings):
        backend = get_search_backend()
        query = ListingQuery(category_id=cars.pk, category_is_leaf=True)
        ListingFactory(category=cars)
        assert backend.summary(query).total == 1
        assert backend.summary(query).source == "cache"
        ListingFactory(category=cars)  # indexing bumps the generation
        summary = backend.summary(query)
        assert (summary.total, summary.source) == (2, "live")
