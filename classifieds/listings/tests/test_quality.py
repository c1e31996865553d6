"""The quality score: the SQL the indexer runs equals its Python twin, factor by factor."""

from __future__ import annotations

import pytest

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.services import event_record
from classifieds.listings.models import Listing
from classifieds.listings.quality import FLOOR, REJECTED_TOPIC, quality_score
from classifieds.listings.services import listing_photos_changed, listing_set_attributes
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.search.backends import get_search_backend
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import AttributeFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def stored(listing: Listing) -> float:
    get_search_backend().index([listing.pk])
    listing.refresh_from_db(fields=["quality_score"])
    return listing.quality_score


class TestQualityScore:
    def test_a_bare_listing_scores_its_base_and_text(self):
        listing = ListingFactory(description="Коротко.", owner=UserFactory(phone_verified=False))
        expected = quality_score(photos=0, description="Коротко.", filled=0, applicable=0, verified=False, rejections=0)
        assert stored(listing) == pytest.approx(expected)

    def test_a_complete_listing_by_a_verified_seller_scores_one(self):
        category = CategoryFactory()
        AttributeFactory(category=category, key="colour", label="Цвет", type=Attribute.Type.TEXT)
        listing = ListingFactory(category=category, description="д" * 600)
        listing_set_attributes(listing=listing, values={"colour": "белый"})
        for _ in range(6):
            ListingPhotoFactory(listing=listing)
        assert stored(listing) == pytest.approx(1.0)

    def test_unfilled_attributes_of_the_category_and_its_ancestors_count_against_it(self):
        parent = CategoryFactory()
        child = CategoryFactory(parent=parent)
        AttributeFactory(category=parent, key="brand", label="Марка", type=Attribute.Type.TEXT)
        AttributeFactory(category=child, key="colour", label="Цвет", type=Attribute.Type.TEXT)
        listing = ListingFactory(category=child, description="Коротко.")
        listing_set_attributes(listing=listing, values={"colour": "белый"})
        expected = quality_score(photos=0, description="Коротко.", filled=1, applicable=2, verified=True, rejections=0)
        assert stored(listing) == pytest.approx(expected)

    def test_each_rejection_costs_a_share_down_to_the_floor(self):
        listing = ListingFactory(description="Коротко.")
        before = stored(listing)
        event_record(topic=REJECTED_TOPIC, subject=listing, payload={})
        once = stored(listing)
        assert once < before
        for _ in range(10):
            event_record(topic=REJECTED_TOPIC, subject=listing, payload={})
        assert FLOOR <= stored(listing) < once

    def test_a_change_through_the_outbox_recomputes_it(self, django_capture_on_commit_callbacks):
        listing = ListingFactory(description="Коротко.")
        before = stored(listing)
        with django_capture_on_commit_callbacks(execute=True):
            ListingPhotoFactory.build(listing=listing).save()
            listing_photos_changed(listing=listing)
        listing.refresh_from_db(fields=["quality_score"])
        assert listing.quality_score > before
