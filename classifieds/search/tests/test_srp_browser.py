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


def wait_until(page, condition, timeout_ms: int = 5000) -> None:
    """Poll ``condition`` from Python: under CSP, wait_for_function's string predicates need eval."""
    for _ in range(timeout_ms // 20):
        if condition():
            return
        page.wait_for_timeout(20)
    raise AssertionError("condition not met in time")


def card_titles(page) -> list[str]:
    return page.locator("#results .card-title").all_inner_texts()


@pytest.mark.parametrize("browser_context", [True], indirect=True)
@pytest.mark.parametrize("move_before", [True, False], ids=["chromium", "without-moveBefore"])
def test_a_refresh_landing_while_the_price_is_typed_keeps_both_prices(cars, browser_context, move_before):
    page = browser_context.new_page()
    if not move_before:  # as in browsers without Element.moveBefore(), where htmx detaches the kept field
        page.add_init_script("delete Element.prototype.moveBefore")
    page.goto(cars)
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("typeof Element.prototype.moveBefore") == ("function" if move_before else "undefined")
    assert len(card_titles(page)) == 5
    page.locator(".filters-toggle").click()  # a 390 px phone: the filters are in their drawer
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
    wait_until(page, lambda: held)  # let the route handler run
    assert len(held) == 1 and "price_min=70000000" in held[0].request.url
    held.pop().continue_()  # the refresh lands now, between two keystrokes of "to"
    page.unroute("**/c/c-cars/?*")
    wait_until(page, lambda: page.evaluate("window.seenInTo.length > 0"))
    assert page.evaluate("document.activeElement.id") == "id_price_max"  # the visitor types on, unaware
    page.keyboard.type("0000000", delay=KEY_DELAY_MS)

    assert page.input_value("#id_price_min") == "70000000"
    assert page.input_value("#id_price_max") == "90000000"
    assert page.evaluate("window.seenInTo")[0] == "9"  # the swap happened mid-typing and kept the field
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
    page.get_by_text("Фильтры").click()  # the drawer opens without JavaScript too
    page.locator("#id_price_min").fill("70000000")
    page.locator("#id_price_max").fill("90000000")
    page.get_by_role("button", name="Показать объявления").click()
    page.wait_for_url("**/c/c-cars/?price_min=70000000&price_max=90000000")
    assert card_titles(page) == ["Daewoo Nexia 3"]
    assert page.input_value("#id_price_max") == "90000000"
    assert not [url for url in urls if "csrfmiddlewaretoken" in url]
    assert page.locator(".filters-toggle").inner_text().startswith("Фильтры (")  # the count of active filters


def top(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("(element) => element.getBoundingClientRect().top")


@pytest.mark.parametrize("browser_context", [True, False], indirect=True)
def test_on_a_phone_the_results_come_first_and_the_filters_wait_in_a_drawer(cars, browser_context):
    page = browser_context.new_page()
    page.goto(cars)
    assert not page.locator("#id_price_min").is_visible()
    assert top(page, "#results .card") < 844  # the first card on the first screen
    assert top(page, ".filters-toggle") < top(page, "#results")
    page.locator(".filters-toggle").click()
    assert page.locator("#id_price_min").is_visible()
    assert page.locator(".site-header").evaluate("(element) => element.getBoundingClientRect().height") < 100
    assert page.get_by_role("link", name="Подать объявление").is_visible()


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_the_drawer_stays_open_while_filters_refresh_the_results(cars, browser_context):
    page = browser_context.new_page()
    page.goto(cars)
    page.wait_for_function("window.htmx !== undefined")
    page.locator(".filters-toggle").click()
    page.locator("#id_price_min").fill("70000000")
    page.locator("#id_price_min").press("Enter")
    page.wait_for_url("**/c/c-cars/?*price_min=70000000*")
    page.locator("#results .count", has_text="4").wait_for()
    assert page.locator("#id_price_max").is_visible()


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_on_a_wide_screen_the_filters_are_a_sidebar(cars, browser_context):
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(cars)
    assert page.locator("#id_price_min").is_visible()
    assert not page.locator(".filters-toggle").is_visible()


# WCAG 2 contrast of an element's text against what is really behind it (translucent backgrounds composited).
CONTRAST = """(element) => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const color = rgba(getComputedStyle(node).backgroundColor);
    if (color[3] > 0) layers.push(color);
    if (color[3] === 1) break;
  }
  let back = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) back = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
  const [r, g, b, a] = rgba(getComputedStyle(element).color);
  const fore = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
  const luminance = (rgb) => rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [light, dark] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}"""


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_the_current_page_and_language_markers_are_readable(cars, browser_context, settings):
    settings.LISTINGS_PER_PAGE = 2
    page = browser_context.new_page()
    for url in (f"{cars}?page=2", cars.replace("/c/", "/uz/c/") + "?page=2"):
        page.goto(url)
        for marker in (".pagination .current", ".lang-switch .current"):
            ratio = page.locator(marker).evaluate(CONTRAST)
            assert ratio >= 4.5, f"{marker} on {url}: contrast {ratio:.2f}:1 is below WCAG AA's 4.5:1"
