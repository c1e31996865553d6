"""Listings past their lifetime become expired: status, audit trail and search index agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.listings.services import listings_expire_due
from classifieds.listings.tasks import expire_listings_task
from classifieds.search.backends import get_search_backend
from classifieds.search.query import ListingQuery

from .factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_only_active_listings_past_their_expiry_move_to_expired():
    now = timezone.now()
    due = ListingFactory(expires_at=now - timedelta(minutes=1))
    fresh = ListingFactory(expires_at=now + timedelta(days=3))
    sold = ListingFactory(status=Listing.Status.SOLD, expires_at=now - timedelta(days=1))

    assert listings_expire_due(now=now) == 1

    due.refresh_from_db(), fresh.refresh_from_db(), sold.refresh_from_db()
    assert due.status == Listing.Status.EXPIRED
    assert fresh.status == Listing.Status.ACTIVE
    assert sold.status == Listing.Status.SOLD
    assert Event.objects.filter(topic="listing.expired", subject_id=str(due.pk)).count() == 1


def test_it_works_in_batches_and_a_second_run_finds_nothing():
    now = timezone.now()
    listings = [ListingFactory(expires_at=now - timedelta(hours=i + 1)) for i in range(5)]
    assert listings_expire_due(now=now, batch=2) == 5
    assert listings_expire_due(now=now, batch=2) == 0
    assert set(Listing.objects.filter(pk__in=[x.pk for x in listings]).values_list("status", flat=True)) == {
        Listing.Status.EXPIRED
    }


def test_the_periodic_task_expires_and_asks_the_index_to_follow():
    listing = ListingFactory(expires_at=timezone.now() - timedelta(seconds=1))
    expire_listings_task()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.EXPIRED
    assert Event.objects.filter(topic="search.reindex", subject_id=str(listing.pk)).exists()
    assert listing.pk not in get_search_backend().ids(ListingQuery(), offset=0, limit=100)
