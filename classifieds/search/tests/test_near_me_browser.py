""" "Near me" in headless chromium: the browser's position with JS, a chosen place without it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from classifieds.listings.tests.factories import ListingFactory
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    cache.clear()


@pytest.fixture
def vans(live_server):
    category = CategoryFactory(slug="c-vans")
    tashkent = LocationFactory(name="Ташкент", slug="tashkent", lat=Decimal("41.3111"), lon=Decimal("69.2797"))
    chirchiq = LocationFactory(name="Чирчик", slug="chirchiq", lat=Decimal("41.4689"), lon=Decimal("69.5822"))
    samarkand = LocationFactory(name="Самарканд", slug="samarkand", lat=Decimal("39.6542"), lon=Decimal("66.9597"))
    # Created nearest-to-Chirchiq first, so newest first is never nearest first.
    ListingFactory(category=category, location=chirchiq, title="Дамас в Чирчике")
    ListingFactory(category=category, location=tashkent, title="Дамас в Ташкенте")
    ListingFactory(category=category, location=samarkand, title="Дамас в Самарканде")
    return f"{live_server.url}/c/c-vans/"


def titles(page) -> list[str]:
    return page.locator("#results .card-title").all_inner_texts()


def test_use_my_location_sorts_nearest_first_with_distances(vans, browser_context):
    browser_context.grant_permissions(["geolocation"])
    browser_context.set_geolocation({"latitude": 39.65, "longitude": 66.96})  # in Samarkand
    page = browser_context.new_page()
    page.goto(vans)
    page.wait_for_function("window.htmx !== undefined")
    page.locator(".filters-toggle").click()  # a 390 px phone: near me is in the filters' drawer
    button = page.locator("[data-near-me]")
    assert button.is_visible()
    button.click()
    page.wait_for_url("**lat=39.65*")
    page.locator(".card-distance").first.wait_for()
    assert titles(page) == ["Дамас в Самарканде", "Дамас в Ташкенте", "Дамас в Чирчике"]
    assert page.locator("#id_sort option:checked").inner_text() == "Сначала ближайшие"
    # Within 50 km of here: only Samarkand's.
    page.select_option("#id_radius", "50")
    page.wait_for_url("**radius=50*")
    page.wait_for_function("document.querySelectorAll('#results .card').length === 1")
    assert titles(page) == ["Дамас в Самарканде"]


@pytest.mark.parametrize("browser_context", [False], indirect=True)
def test_without_javascript_a_chosen_place_and_radius_work(vans, browser_context):
    page = browser_context.new_page()
    page.goto(vans)
    page.locator(".filters-toggle").click()  # a 390 px phone: near me is in the filters' drawer, which opens without JS
    assert page.locator("#id_near").is_visible()
    assert not page.locator("[data-near-me]").is_visible()  # it needs a script: hidden without one
    page.select_option("#id_near", "chirchiq")
    page.select_option("#id_radius", "50")
    page.locator(".srp-filters button[type=submit]").click()
    page.wait_for_url("**near=chirchiq*")
    assert "sort=" not in page.url  # the default order was left alone: nearest first around the place
    assert titles(page) == ["Дамас в Чирчике", "Дамас в Ташкенте"]
    assert page.locator(".card-distance").count() == 2
    # Shown inside its card (a card clips what overflows it).
    card, distance = page.locator("#results .card").first.bounding_box(), page.locator(".card-distance").first
    box = distance.bounding_box()
    assert distance.inner_text() == "менее 100 м"
    assert card["y"] <= box["y"] and box["y"] + box["height"] <= card["y"] + card["height"]
