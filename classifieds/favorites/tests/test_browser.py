"""A visitor hearts a listing in headless chromium, with and without JavaScript."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.listings.tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    cache.clear()


@pytest.mark.parametrize("browser_context", [True, False], indirect=True, ids=["js", "no-js"])
def test_a_visitor_hearts_a_listing_and_finds_it_on_the_saved_page(live_server, browser_context, request):
    javascript = request.node.callspec.id == "js"
    listing = ListingFactory(title="Chevrolet Gentra 2021")
    page = browser_context.new_page()
    url = f"{live_server.url}{listing.get_absolute_url()}"
    page.goto(url)
    if javascript:
        page.wait_for_function("window.htmx !== undefined")
    heart = page.locator(f"#fav-{listing.pk} button")
    assert heart.get_attribute("aria-pressed") == "false"
    heart.click()
    page.locator(f'#fav-{listing.pk} button[aria-pressed="true"]').wait_for()
    # With JS only the button was swapped; without, the form came back to the same page and place.
    assert page.url == (url if javascript else f"{url}#fav-{listing.pk}")
    page.goto(f"{live_server.url}/saved/")
    assert "Chevrolet Gentra 2021" in page.locator(".saved-favorites").inner_text()
    page.goto(url)
    page.locator(f"#fav-{listing.pk} button").click()  # and off again
    page.locator(f'#fav-{listing.pk} button[aria-pressed="false"]').wait_for()
