"""The results page in headless chromium: live filtering never eats what the visitor types."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_DELAY_MS = 120  # between keystrokes: a slow typist


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    cache.clear()


@pytest.fixture
def cars(live_server):
    build_corpus()
    search_process_events()
    return f"{live_server.url}/c/c-cars/"


def card_titles(page) -> list[str]:
    return page.locator("#results .card-title").all_inner_texts()


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_a_refresh_landing_while_the_price_is_typed_keeps_both_prices(cars, browser_context):
    page = browser_context.new_page()
    page.goto(cars)
    page.wait_for_function("window.htmx !== undefined")
    assert len(card_titles(page)) == 5
    # Hold the refresh that "from" fires until the visitor is half-way through "to": a slow network, made certain.
    held = []
    page.route(
        "**/c/c-cars/?*",
        lambda route: held.append(route) if route.request.headers.get("hx-request") else route.continue_(),
    )
    page.evaluate(
        """() => {
          window.seenInTo = [];
          document.addEventListener("htmx:afterSwap", () => window.seenInTo.push(document.getElementById("id_price_max").value));
        }"""
    )

    page.locator("#id_price_min").press_sequentially("70000000", delay=KEY_DELAY_MS)
    page.locator("#id_price_max").click()  # "from" changes: htmx asks for the results
    page.locator("#id_price_max").press_sequentially("9", delay=KEY_DELAY_MS)
    page.wait_for_function("() => true")  # let the route handler run
    assert len(held) == 1 and "price_min=70000000" in held[0].request.url
    held.pop().continue_()  # the refresh lands now, between two keystrokes of "to"
    page.unroute("**/c/c-cars/?*")
    page.wait_for_function("window.seenInTo.length > 0")
    page.locator("#id_price_max").press_sequentially("0000000", delay=KEY_DELAY_MS)

    assert page.input_value("#id_price_min") == "70000000"
    assert page.input_value("#id_price_max") == "90000000"
    assert page.evaluate("window.seenInTo")[0] == "9"  # the swap happened mid-typing and kept the field
    assert page.evaluate("document.activeElement.id") == "id_price_max"
    # The swap did refresh the results: 70 000 000 sum and up (dollar prices converted), Spark's 60 000 000 gone.
    assert card_titles(page) == [
        "Chevrolet Cobalt 2019",
        "Chevrolet Cobalt 2016",
        "Daewoo Nexia 3",
        "Toyota Camry 2021",
    ]

    page.keyboard.press("Enter")  # "to" is done: the results follow both prices
    page.wait_for_url("**/c/c-cars/?price_min=70000000&price_max=90000000")
    page.locator("#results .count", has_text="1").wait_for()
    assert card_titles(page) == ["Daewoo Nexia 3"]
    assert page.input_value("#id_price_min") == "70000000"
    assert page.input_value("#id_price_max") == "90000000"


@pytest.mark.parametrize("browser_context", [False], indirect=True)
def test_without_javascript_the_price_filter_is_a_plain_form(cars, browser_context):
    page = browser_context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(cars)
    page.locator("#id_price_min").fill("70000000")
    page.locator("#id_price_max").fill("90000000")
    page.get_by_role("button", name="Показать объявления").click()
    page.wait_for_url("**/c/c-cars/?price_min=70000000&price_max=90000000")
    assert card_titles(page) == ["Daewoo Nexia 3"]
    assert page.input_value("#id_price_max") == "90000000"
    assert not [url for url in urls if "csrfmiddlewaretoken" in url]
