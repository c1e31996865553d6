"""A signed-in buyer saves a results page in headless chromium, with and without JavaScript."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.accounts.tests.browser import sign_in
from classifieds.accounts.tests.factories import UserFactory
from classifieds.savedsearches.models import SavedSearch
from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("browser_context", "prefix", "live"),
    [(True, "", False), (True, "", True), (False, "/uz", False)],
    indirect=["browser_context"],
    ids=["js-ru", "js-ru-after-live-filtering", "no-js-uz"],
)
def test_save_this_search_saves_the_filtered_results_page(live_server, browser_context, prefix, live):
    build_corpus()
    search_process_events()
    buyer = UserFactory()
    sign_in(browser_context, live_server, buyer)
    page = browser_context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    if live:
        page.goto(f"{live_server.url}{prefix}/c/c-cars/")
        page.wait_for_function("window.htmx !== undefined")
        page.locator(".filters-toggle").click()  # a 390 px phone: the filters are in their drawer
        page.get_by_role("checkbox", name="Chevrolet").check()  # htmx swaps the results and the save form;
        # by role: once swapped, the "Remove filter «Chevrolet»" chip has that label too
        page.wait_for_url("**/c/c-cars/?attrs.make=chevrolet")
        page.locator("#results .count", has_text="3").wait_for()
    else:
        page.goto(f"{live_server.url}{prefix}/c/c-cars/?attrs.make=chevrolet")
    srp = page.url

    page.locator("#save-search-frequency").select_option("weekly")
    page.get_by_role("button", name="Qidiruvni saqlash" if prefix else "Сохранить поиск").click()
    page.locator(".message", has_text="Qidiruv saqlandi" if prefix else "Поиск сохранён").wait_for()

    saved = SavedSearch.objects.get(user=buyer)
    assert (saved.category.slug, saved.params, saved.frequency) == ("c-cars", "attrs.make=chevrolet", "weekly")
    assert saved.language == ("uz" if prefix else "ru")
    assert page.url == srp  # back on the page that was saved
    assert not [url for url in urls if "csrfmiddlewaretoken" in url]
