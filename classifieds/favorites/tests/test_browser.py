"""A visitor hearts a listing in headless chromium, with and without JavaScript, on its page and on results."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.listings.tests.factories import ListingFactory
from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus

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


def _requests_of(page) -> list[str]:
    """Every URL the page asks for, to check that no form leaks its CSRF token into an address."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


@pytest.mark.parametrize("browser_context", [True, False], indirect=True, ids=["js", "no-js"])
def test_the_heart_of_the_first_card_on_a_results_page_favorites_that_listing(live_server, browser_context, request):
    javascript = request.node.callspec.id == "js"
    corpus = build_corpus()
    search_process_events()
    first = corpus.listings["cobalt19"]  # the newest car: the first card of /c/c-cars/
    page = browser_context.new_page()
    urls = _requests_of(page)
    srp = f"{live_server.url}/c/c-cars/"
    page.goto(srp)
    if javascript:
        page.wait_for_function("window.htmx !== undefined")
    card = page.locator("#results .card").first
    assert card.locator(".card-title").inner_text() == "Chevrolet Cobalt 2019"

    card.locator(f"#fav-{first.pk} button").click()
    page.locator(f'#fav-{first.pk} button[aria-pressed="true"]').wait_for()

    assert page.url == (srp if javascript else f"{srp}#fav-{first.pk}")
    assert not [url for url in urls if "csrfmiddlewaretoken" in url]
    page.goto(f"{live_server.url}/saved/")
    assert page.locator(".saved-favorites .saved-title").all_inner_texts() == ["Chevrolet Cobalt 2019"]


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_a_heart_still_works_after_live_filtering_replaced_the_results(live_server, browser_context):
    corpus = build_corpus()
    search_process_events()
    nexia = corpus.listings["nexia"]
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/c/c-cars/")
    page.wait_for_function("window.htmx !== undefined")
    page.locator(".filters-toggle").click()  # a 390 px phone: the filters are in their drawer
    page.get_by_role("checkbox", name="Daewoo").check()  # htmx swaps the results in place (by role: the
    # "Remove filter «Daewoo»" chip it adds has that label too)
    page.wait_for_url("**/c/c-cars/?attrs.make=daewoo")
    page.locator("#results .card-title", has_text="Daewoo Nexia 3").wait_for()
    assert page.locator("#results .card").count() == 1

    page.locator(f"#fav-{nexia.pk} button").click()
    page.locator(f'#fav-{nexia.pk} button[aria-pressed="true"]').wait_for()
    page.goto(f"{live_server.url}/saved/")
    assert page.locator(".saved-favorites .saved-title").all_inner_texts() == ["Daewoo Nexia 3"]
