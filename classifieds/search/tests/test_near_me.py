""" "Near me" on the results page: a chosen place (no JS) or the browser's position, a radius, distances on cards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from classifieds.listings.tests.factories import ListingFactory
from classifieds.search.page import distance_km, distance_label
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    category = CategoryFactory(slug="c-near-page")
    tashkent = LocationFactory(name="Ташкент", slug="tashkent", lat=Decimal("41.3111"), lon=Decimal("69.2797"))
    yunusabad = LocationFactory(name="Юнусабад", slug="yunusabad", parent=tashkent)  # no centre of its own
    chirchiq = LocationFactory(name="Чирчик", slug="chirchiq", lat=Decimal("41.4689"), lon=Decimal("69.5822"))
    samarkand = LocationFactory(name="Самарканд", slug="samarkand", lat=Decimal("39.6542"), lon=Decimal("66.9597"))
    listings = {
        "samarkand": ListingFactory(category=category, location=samarkand, title="Дамас в Самарканде"),
        "chirchiq": ListingFactory(category=category, location=chirchiq, title="Дамас в Чирчике"),
        "pin": ListingFactory(
            category=category, location=tashkent, lat=Decimal("41.35"), lon=Decimal("69.30"), title="Дамас с меткой"
        ),
        "yunusabad": ListingFactory(category=category, location=yunusabad, title="Дамас в Юнусабаде"),
    }
    return category, listings


def shown(response) -> list[int]:
    return [listing.pk for listing in response.context["page"].object_list]


class TestNearAPlaceWithoutJavaScript:
    def test_a_chosen_place_sorts_nearest_first_and_shows_distances(self, client, area):
        category, listings = area
        response = client.get(f"/c/{category.slug}/?near=tashkent")
        assert response.status_code == 200
        assert response.context["results"].query.sort == "distance"
        assert shown(response) == [listings[n].pk for n in ("yunusabad", "pin", "chirchiq", "samarkand")]
        body = response.content.decode()
        assert "в 4,6 км" in body
        assert 'class="card-distance"' in body

    def test_a_radius_keeps_the_listings_within_it(self, client, area):
        category, listings = area
        response = client.get(f"/c/{category.slug}/?near=tashkent&radius=5")
        assert set(shown(response)) == {listings["yunusabad"].pk, listings["pin"].pk}
        assert response.context["page"].paginator.count == 2
        response = client.get(f"/c/{category.slug}/?near=tashkent&radius=50")
        assert listings["chirchiq"].pk in shown(response) and listings["samarkand"].pk not in shown(response)
        assert any("50" in chip.label for chip in response.context["chips"])

    def test_a_district_without_coordinates_measures_from_its_city(self, client, area):
        category, listings = area
        response = client.get(f"/c/{category.slug}/?near=yunusabad&radius=5")
        assert set(shown(response)) == {listings["yunusabad"].pk, listings["pin"].pk}

    def test_another_sort_keeps_its_order_and_hides_distances(self, client, area):
        category, listings = area
        response = client.get(f"/c/{category.slug}/?near=tashkent&radius=50&sort=newest")
        assert response.context["results"].query.sort == "newest"
        assert shown(response) == [listings[n].pk for n in ("yunusabad", "pin", "chirchiq")]  # newest first
        assert 'class="card-distance"' not in response.content.decode()

    def test_the_form_offers_places_radii_and_a_hidden_location_button(self, client, area):
        category, _ = area
        body = client.get(f"/c/{category.slug}/").content.decode()
        assert '<select name="near"' in body and 'value="tashkent"' in body
        assert '<option value="25">' in body
        assert "data-near-me hidden" in body  # only the script can use it, so only the script shows it
        assert "js/near-me" in body

    def test_it_works_in_uzbek(self, client, area):
        category, _ = area
        response = client.get(f"/uz/c/{category.slug}/?near=tashkent&radius=10")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Yaqinimda" in body and "km uzoqlikda" in body


class TestNearTheBrowsersPosition:
    def test_lat_and_lon_sort_nearest_first_and_win_over_a_place(self, client, area):
        category, listings = area
        response = client.get(f"/c/{category.slug}/?lat=41.4689&lon=69.5822&near=samarkand&sort=distance", follow=True)
        assert shown(response)[0] == listings["chirchiq"].pk
        assert shown(response)[-1] == listings["samarkand"].pk
        body = response.content.decode()
        assert 'name="lat" value="41.4689"' in body  # kept in the form for the next change

    def test_htmx_gets_the_results_fragment_with_distances(self, client, area):
        category, _ = area
        response = client.get(
            f"/c/{category.slug}/?lat=41.3111&lon=69.2797&radius=10",
            headers={"HX-Request": "true", "HX-Target": "srp"},
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body and 'class="card-distance"' in body


class TestBadInputNeverBreaksThePage:
    @pytest.mark.parametrize(
        "query",
        [
            "lat=abc&lon=69",
            "lat=100&lon=69&sort=distance",
            "lat=41&lon=-500&radius=5",
            "lat=41.3",
            "radius=7&near=tashkent",
            "radius=5",
            "near=atlantis&sort=distance",
            "sort=distance",
            "near=" + "x" * 500,
        ],
    )
    def test_it_answers_200_and_ignores_what_it_cannot_use(self, client, area, query):
        category, listings = area
        response = client.get(f"/c/{category.slug}/?{query}", follow=True)
        assert response.status_code == 200
        assert response.context["results"].query.radius_km in (None, 5)
        if response.context["results"].query.near is None:
            assert response.context["page"].paginator.count == len(listings)


class TestDistances:
    def test_the_great_circle_distance_between_tashkent_and_samarkand(self):
        assert distance_km((41.3111, 69.2797), (39.6542, 66.9597)) == pytest.approx(270, abs=5)

    def test_labels_round_to_a_tenth_near_and_to_whole_km_far(self):
        with translation.override("ru"):
            assert distance_label(0.05) == "менее 100 м"
            assert distance_label(4.63) == "в 4,6 км"
            assert distance_label(23.4) == "в 23 км"
        with translation.override("uz"):
            assert distance_label(23.4) == "23 km uzoqlikda"
