"""Ranking and "near me" parts of the backend contract, mixed into each backend's contract test class.

Each test builds its own few listings (in a category of its own) and indexes them with ``backend``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.services import listing_set_attributes
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.search.query import ListingQuery
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import AttributeFactory, CategoryFactory, LocationFactory


class RankingContract:
    """Relevance = text rank × freshness × quality × promotion boost: each factor alone decides between twins.

    Two listings differ in one factor only (same title and text, the same minute); the one the factor
    favours comes first, whichever was created first. Mixed into ``SearchBackendContract`` subclasses.
    """

    @pytest.fixture
    def ranked(self, backend):
        category = CategoryFactory(name="Ранжирование", slug="c-ranking")
        AttributeFactory(category=category, key="colour", label="Цвет", type=Attribute.Type.TEXT)
        AttributeFactory(category=category, key="mileage", label="Пробег", type=Attribute.Type.INTEGER)
        place = LocationFactory(name="Ташкент", slug="l-ranking")
        moment = timezone.now() - timedelta(hours=1)

        def make(**fields) -> Listing:
            fields.setdefault("refreshed_at", moment)
            fields.setdefault("description", "Машина на ходу.")
            return ListingFactory(category=category, location=place, title="Damas 2020 yuk", **fields)

        return category, make

    def order(self, backend, category, *listings: Listing) -> list[int]:
        backend.index([listing.pk for listing in listings])
        query = ListingQuery(q="damas", category_id=category.pk, category_is_leaf=True, sort="relevance")
        return self.ids(backend, query)

    def test_photos_raise_a_listing(self, backend, ranked):
        category, make = ranked
        favoured, plain = make(), make()
        for _ in range(3):
            ListingPhotoFactory(listing=favoured)
        assert self.order(backend, category, plain, favoured) == [favoured.pk, plain.pk]

    def test_a_fuller_description_raises_a_listing(self, backend, ranked):
        category, make = ranked
        plain = make()
        favoured = make(description="Машина на ходу. " + "Всё обслужено вовремя, документы в порядке. " * 10)
        assert self.order(backend, category, favoured, plain) == [favoured.pk, plain.pk]

    def test_filled_attributes_raise_a_listing(self, backend, ranked):
        category, make = ranked
        favoured, plain = make(), make()
        listing_set_attributes(listing=favoured, values={"colour": "белый", "mileage": "120000"})
        assert self.order(backend, category, plain, favoured) == [favoured.pk, plain.pk]

    def test_a_verified_seller_raises_a_listing(self, backend, ranked):
        category, make = ranked
        plain = make(owner=UserFactory(phone_verified=False))
        favoured = make(owner=UserFactory(phone_verified=True))
        assert self.order(backend, category, plain, favoured) == [favoured.pk, plain.pk]

    def test_a_rejection_lowers_a_listing(self, backend, ranked):
        from classifieds.audit.services import event_record
        from classifieds.listings.quality import REJECTED_TOPIC

        category, make = ranked
        rejected, favoured = make(), make()
        event_record(topic=REJECTED_TOPIC, subject=rejected, payload={"reason": "фото не того товара"})
        assert self.order(backend, category, rejected, favoured) == [favoured.pk, rejected.pk]

    def test_a_fresher_listing_comes_first(self, backend, ranked):
        category, make = ranked
        stale = make(refreshed_at=timezone.now() - timedelta(days=20))
        favoured = make(refreshed_at=timezone.now() - timedelta(days=1))
        assert self.order(backend, category, favoured, stale) == [favoured.pk, stale.pk]

    def test_a_running_promotion_boosts_only_while_it_runs(self, backend, ranked):
        category, make = ranked
        # The unpromoted twin is a little fresher: only the boost can put the other one first.
        plain = make(refreshed_at=timezone.now() - timedelta(minutes=5))
        promoted = make(promoted_until=timezone.now() + timedelta(days=3))
        assert self.order(backend, category, plain, promoted) == [promoted.pk, plain.pk]
        Listing.objects.filter(pk=promoted.pk).update(promoted_until=timezone.now() - timedelta(minutes=1))
        assert self.order(backend, category, plain, promoted) == [plain.pk, promoted.pk]

    def test_the_factors_multiply(self, backend, ranked):
        category, make = ranked
        # A bare listing of yesterday beats a complete one of three weeks ago (freshness halves in ~10 days)...
        complete = make(
            refreshed_at=timezone.now() - timedelta(days=21),
            description="Машина на ходу. " + "Всё обслужено вовремя. " * 30,
        )
        for _ in range(5):
            ListingPhotoFactory(listing=complete)
        bare = make(refreshed_at=timezone.now() - timedelta(days=1), owner=UserFactory(phone_verified=False))
        assert self.order(backend, category, complete, bare) == [bare.pk, complete.pk]
        # ...two weeks old, it still loses, unless promoted.
        Listing.objects.filter(pk=complete.pk).update(refreshed_at=timezone.now() - timedelta(days=14))
        assert self.order(backend, category, complete, bare) == [bare.pk, complete.pk]
        Listing.objects.filter(pk=complete.pk).update(promoted_until=timezone.now() + timedelta(days=1))
        assert self.order(backend, category, complete, bare) == [complete.pk, bare.pk]


class NearMeContract:
    """ "Near me": a point per listing (its map pin, else its place's centre), a distance sort and a radius.

    Around Tashkent's centre: a pin 4.6 km away, a district without coordinates of its own (its
    city's centre), Chirchiq ~31 km, Angren ~79 km, Samarkand ~270 km, and one with no point at all.
    """

    TASHKENT = (41.3111, 69.2797)

    @pytest.fixture
    def near(self, backend):
        category = CategoryFactory(name="Рядом", slug="c-near")

        def place(name: str, lat: float | None, lon: float | None, parent=None):
            return LocationFactory(name=name, parent=parent, lat=lat, lon=lon)

        tashkent = place("Ташкент", *self.TASHKENT)
        district = place("Юнусабад", None, None, parent=tashkent)
        nowhere = place("Без координат", None, None)
        where = {
            "centre": (tashkent, None),
            "pin": (tashkent, (Decimal("41.350000"), Decimal("69.300000"))),
            "district": (district, None),
            "chirchiq": (place("Чирчик", 41.4689, 69.5822), None),
            "angren": (place("Ангрен", 41.0167, 70.1436), None),
            "samarkand": (place("Самарканд", 39.6542, 66.9597), None),
            "unknown": (nowhere, None),
        }
        listings = {}
        for name, (location, pin) in where.items():
            lat, lon = pin or (None, None)
            listings[name] = ListingFactory(category=category, location=location, lat=lat, lon=lon, title="Damas 2020")
        backend.index([listing.pk for listing in listings.values()])
        return category, listings

    def query(self, category, **kwargs) -> ListingQuery:
        return ListingQuery(category_id=category.pk, category_is_leaf=True, near=self.TASHKENT, **kwargs)

    def test_nearest_first_with_listings_without_a_point_last(self, backend, near):
        category, listings = near
        ids = self.ids(backend, self.query(category, sort="distance"))
        names = {listing.pk: name for name, listing in listings.items()}
        order = [names[pk] for pk in ids]
        assert set(order[:2]) == {"centre", "district"}  # both at the centre: the district has no point of its own
        assert order[2:] == ["pin", "chirchiq", "angren", "samarkand", "unknown"]

    @pytest.mark.parametrize(
        ("radius", "expected"),
        [
            (5, {"centre", "district", "pin"}),
            (10, {"centre", "district", "pin"}),
            (25, {"centre", "district", "pin"}),
            (50, {"centre", "district", "pin", "chirchiq"}),
        ],
    )
    def test_a_radius_keeps_only_listings_within_it_and_counts_them(self, backend, near, radius, expected):
        category, listings = near
        query = self.query(category, radius_km=radius)
        found = set(self.ids(backend, query))
        assert found == {listings[name].pk for name in expected}
        assert self.total(backend, query) == len(expected)
        assert backend.filter_ids(query, sorted(found | {listings["samarkand"].pk})) == found

    def test_a_radius_combines_with_text_and_a_distance_sort(self, backend, near):
        category, listings = near
        Listing.objects.filter(pk=listings["chirchiq"].pk).update(title="Nexia 3")
        backend.index([listings["chirchiq"].pk])
        query = self.query(category, q="damas", radius_km=50, sort="distance")
        ids = self.ids(backend, query)
        assert ids[-1] == listings["pin"].pk and len(ids) == 3
        assert self.total(backend, query) == 3
        # The same through the results object (a backend may then start from the text matches).
        results = backend.search(query, load=lambda found: {pk: pk for pk in found})
        assert results.count() == 3 and list(results[0:10]) == ids

    def test_a_pin_moved_by_the_seller_moves_the_listing(self, backend, near):
        category, listings = near
        Listing.objects.filter(pk=listings["samarkand"].pk).update(lat=Decimal("41.311"), lon=Decimal("69.280"))
        backend.index([listings["samarkand"].pk])
        assert listings["samarkand"].pk in self.ids(backend, self.query(category, radius_km=5))
