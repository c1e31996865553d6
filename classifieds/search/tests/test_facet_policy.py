"""The facet URL policy: which results pages search engines index, under which canonical, title and H1.

Landing pages (indexed, their own canonical): a category, a category in a place, a category
narrowed to one value of a choice filter (a car make), the site-wide list, one text search,
and their further pages. Anything deeper is ``noindex,follow`` with the base page as canonical.
"""

from __future__ import annotations

import re

import pytest

from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus
from classifieds.seo.tests.markup import parse

BASE = "http://bozor.test"
INDEX, NOINDEX = "index,follow", "noindex,follow"

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = BASE
    settings.LISTINGS_PER_PAGE = 2


@pytest.fixture
def corpus():
    corpus = build_corpus()
    search_process_events()
    return corpus


def h1(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


# (address, robots, canonical path): every kind of results page.
VARIANTS = [
    ("/search/", INDEX, "/search/"),
    ("/search/?page=2", INDEX, "/search/?page=2"),
    ("/search/?q=cobalt", INDEX, "/search/?q=cobalt"),
    ("/search/?q=%D0%B2%D0%B5%D1%80%D1%82%D0%BE%D0%BB%D1%91%D1%82", NOINDEX, None),  # nothing found
    ("/search/?condition=new", NOINDEX, "/search/"),
    ("/search/?seller=business", NOINDEX, "/search/"),
    ("/c/c-cars/", INDEX, "/c/c-cars/"),
    ("/c/c-cars/?page=2", INDEX, "/c/c-cars/?page=2"),
    ("/c/c-transport/l-tashkent/", INDEX, "/c/c-transport/l-tashkent/"),
    ("/c/c-cars/?attrs.make=chevrolet", INDEX, "/c/c-cars/?attrs.make=chevrolet"),
    ("/c/c-cars/?attrs.make=chevrolet&page=2", INDEX, "/c/c-cars/?attrs.make=chevrolet&page=2"),
    ("/c/c-cars/?q=cobalt", INDEX, "/c/c-cars/?q=cobalt"),
    # Deeper: two narrowings, two values, ranges, sorts, photos only, near me, yes/no.
    ("/c/c-cars/l-tashkent/?attrs.make=chevrolet", NOINDEX, "/c/c-cars/l-tashkent/"),
    ("/c/c-cars/?attrs.make=chevrolet&attrs.make=toyota", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?attrs.make=chevrolet&attrs.gearbox=automatic", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?q=cobalt&attrs.make=chevrolet", NOINDEX, "/c/c-cars/?q=cobalt"),
    ("/c/c-transport/l-tashkent/?q=cobalt", NOINDEX, "/c/c-transport/l-tashkent/?q=cobalt"),
    ("/c/c-cars/?sort=price_asc", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?attrs.make=chevrolet&sort=price_asc", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?price_min=1000", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?price_max=200000000", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?attrs.year_min=2016", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?attrs.ac=yes", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?photo=1", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?near=l-tashkent", NOINDEX, "/c/c-cars/"),
    ("/c/c-cars/?sort=price_asc&page=2", NOINDEX, "/c/c-cars/?page=2"),
]


@pytest.mark.parametrize(("address", "robots", "canonical"), VARIANTS)
def test_every_results_page_variant_is_indexed_or_not_by_the_policy(client, corpus, address, robots, canonical):
    response = client.get(address)
    assert response.status_code == 200, address
    page = parse(response.content)
    assert page.meta["robots"] == robots
    if canonical is not None:
        assert page.canonical == [BASE + canonical]
        assert page.alternates["uz-UZ"] == f"{BASE}/uz{canonical}"


@pytest.mark.parametrize(("address", "robots", "canonical"), [v for v in VARIANTS if v[1] == INDEX and v[2]])
def test_the_uzbek_landing_pages_follow_the_same_policy(client, corpus, address, robots, canonical):
    page = parse(client.get(f"/uz{address}").content)
    assert page.meta["robots"] == INDEX
    assert page.canonical == [f"{BASE}/uz{canonical}"]
    assert page.alternates["ru-UZ"] == BASE + canonical


def test_a_one_option_landing_page_has_its_own_title_and_heading(client, corpus):
    response = client.get("/c/c-cars/?attrs.make=chevrolet")
    assert h1(response) == "Легковые автомобили: Chevrolet"
    assert parse(response.content).title.startswith("Легковые автомобили: Chevrolet · ")
    further = parse(client.get("/c/c-cars/?attrs.make=chevrolet&page=2").content)
    assert further.title.startswith("Легковые автомобили: Chevrolet — страница 2 · ")


def test_a_place_landing_page_has_its_own_title_and_heading(client, corpus):
    response = client.get("/c/c-transport/l-tashkent/")
    assert h1(response) == "Транспорт — Ташкент"
    assert parse(response.content).title.startswith("Транспорт — Ташкент · ")


def test_deeper_pages_keep_the_plain_heading(client, corpus):
    assert h1(client.get("/c/c-cars/?attrs.make=chevrolet&attrs.gearbox=automatic")) == "Легковые автомобили"
    assert h1(client.get("/c/c-cars/l-tashkent/?attrs.make=chevrolet")) == "Легковые автомобили — Ташкент"


def test_an_unknown_option_is_dropped_and_the_page_is_the_category_itself(client, corpus):
    page = parse(client.get("/c/c-cars/?attrs.make=lada").content)
    assert page.meta["robots"] == INDEX
    assert page.canonical == [f"{BASE}/c/c-cars/"]
