"""The search-results page: every parameter, malformed input, htmx vs full page, the plain form, SEO."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus
from classifieds.seo.tests.markup import parse

BASE = "http://bozor.test"
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = BASE


@pytest.fixture
def corpus():
    corpus = build_corpus()
    search_process_events()  # what the worker does after commit: index the attribute changes
    return corpus


def titles(response) -> list[str]:
    """Card titles of the results, in order."""
    html = response.content.decode()
    results = html[html.index('id="results"') :]
    return re.findall(r'<h3 class="card-title">([^<]*)</h3>', results)


def count_line(response) -> str:
    html = response.content.decode()
    return re.search(r'<p class="count">\s*(.*?)\s*</p>', html, re.S).group(1)


class TestParameters:
    def test_a_category_lists_its_subtree_newest_first(self, client, corpus):
        response = client.get("/c/c-transport/")
        assert response.status_code == 200
        assert titles(response) == [
            "Chevrolet Cobalt 2019",
            "Chevrolet Cobalt 2016",
            "Daewoo Nexia 3",
            "Toyota Camry 2021",
            "Chevrolet Spark",
            "Isuzu NPR грузовик",
        ]
        assert count_line(response).startswith("6 объявлений")

    def test_q_searches_text_and_sorts_by_relevance(self, client, corpus):
        response = client.get("/search/?q=cobalt")
        assert set(titles(response)) == {"Chevrolet Cobalt 2019", "Chevrolet Cobalt 2016"}
        # The page's default order is selected and sent as "" (so adding a place then sorts nearest first).
        assert '<option value="" selected>По релевантности</option>' in response.content.decode()

    def test_q_within_a_category(self, client, corpus):
        assert titles(client.get("/c/c-trucks/?q=chevrolet")) == []
        assert len(titles(client.get("/c/c-cars/?q=chevrolet"))) == 3

    def test_attrs_are_or_within_a_key_and_and_across_keys(self, client, corpus):
        either = client.get("/c/c-cars/?attrs.make=chevrolet&attrs.make=toyota")
        assert len(titles(either)) == 4
        both = client.get("/c/c-cars/?attrs.make=chevrolet&attrs.make=toyota&attrs.gearbox=automatic")
        assert titles(both) == ["Chevrolet Cobalt 2019", "Toyota Camry 2021"]

    def test_numeric_attribute_ranges(self, client, corpus):
        response = client.get("/c/c-cars/?attrs.year_min=2016&attrs.year_max=2019")
        assert titles(response) == ["Chevrolet Cobalt 2019", "Chevrolet Cobalt 2016", "Daewoo Nexia 3"]

    def test_a_yes_no_attribute(self, client, corpus):
        assert titles(client.get("/c/c-cars/?attrs.ac=yes")) == ["Chevrolet Cobalt 2019", "Toyota Camry 2021"]

    def test_condition_is_repeatable(self, client, corpus):
        assert titles(client.get("/search/?condition=new")) == ["Toyota Camry 2021", "Samsung Galaxy S21"]
        assert len(titles(client.get("/search/?condition=new&condition=used"))) == 8

    def test_price_range_in_sum_and_in_dollars_compare_across_currencies(self, client, corpus):
        in_sum = titles(client.get("/c/c-cars/?price_min=90000000&price_max=200000000"))
        assert in_sum == ["Chevrolet Cobalt 2019", "Chevrolet Cobalt 2016"]
        in_dollars = titles(client.get("/c/c-cars/?price_min=7000&price_max=16000&currency=USD"))
        assert in_dollars == in_sum

    def test_price_sorts_keep_each_sellers_currency_on_cards(self, client, corpus):
        response = client.get("/c/c-cars/?sort=price_asc")
        assert titles(response) == [
            "Chevrolet Spark",
            "Daewoo Nexia 3",
            "Chevrolet Cobalt 2016",
            "Chevrolet Cobalt 2019",
            "Toyota Camry 2021",
        ]
        html = response.content.decode()
        # Money per language: "12 500 $" like "60 000 000 сум", never English-style "$12,500".
        assert "60\u00a0000\u00a0000\u00a0сум" in html and "12\u00a0500\u00a0$" in html and "35\u00a0000\u00a0$" in html
        assert "$12,500" not in html
        assert titles(client.get("/c/c-cars/?sort=price_desc"))[0] == "Toyota Camry 2021"

    def test_photo_and_seller(self, client, corpus):
        assert titles(client.get("/search/?photo=1")) == ["Chevrolet Cobalt 2019", "Daewoo Nexia 3", "iPhone 13 Pro"]
        business = titles(client.get("/search/?seller=business"))
        assert business == ["Daewoo Nexia 3", "Toyota Camry 2021", "Samsung Galaxy S21"]

    def test_a_location_narrows_to_its_subtree(self, client, corpus):
        response = client.get("/c/c-transport/l-tashkent/")
        assert titles(response) == [
            "Chevrolet Cobalt 2019",
            "Chevrolet Cobalt 2016",
            "Toyota Camry 2021",
            "Isuzu NPR грузовик",
        ]

    def test_pages(self, client, corpus, settings):
        settings.LISTINGS_PER_PAGE = 2
        first, second = client.get("/c/c-cars/"), client.get("/c/c-cars/?page=2")
        assert titles(first) == ["Chevrolet Cobalt 2019", "Chevrolet Cobalt 2016"]
        assert titles(second) == ["Daewoo Nexia 3", "Toyota Camry 2021"]
        assert client.get("/c/c-cars/?page=4").status_code == 404

    def test_deep_pages_are_capped(self, client, corpus, settings):
        settings.LISTINGS_PER_PAGE = 1
        settings.MAX_PAGE = 3
        assert client.get("/c/c-cars/?page=3").status_code == 200
        assert client.get("/c/c-cars/?page=4").status_code == 404
        html = client.get("/c/c-cars/").content.decode()
        assert 'href="/c/c-cars/?page=3"' in html and "page=4" not in html

    def test_hidden_listings_never_show(self, client, corpus):
        html = client.get("/search/?q=cobalt").content.decode()
        assert "sold" not in html and "pending" not in html and "expired" not in html


class TestFacets:
    def test_counts_reflect_the_other_filters(self, client, corpus):
        html = client.get("/c/c-cars/?attrs.make=chevrolet").content.decode()
        # make counts ignore the make filter (what you would get by choosing it instead) ...
        assert re.search(r'value="toyota"> Toyota <span class="facet-count">1</span>', html)
        # ... other keys count within the chevrolets.
        assert re.search(r'value="automatic"> Automatic <span class="facet-count">1</span>', html)
        assert re.search(r'value="manual"> Manual <span class="facet-count">2</span>', html)

    def test_zero_count_options_of_a_selected_key_are_disabled_not_hidden(self, client, corpus):
        html = client.get("/c/c-cars/?attrs.gearbox=automatic&attrs.make=daewoo").content.decode()
        assert re.search(r'value="daewoo" checked> Daewoo <span class="facet-count">0</span>', html)
        assert re.search(r'value="chevrolet"> Chevrolet <span class="facet-count">1</span>', html)
        # and in an unselected key a zero-count option is left out
        assert 'value="manual" disabled' not in html

    def test_child_categories_and_places_have_counts(self, client, corpus):
        html = client.get("/c/c-transport/").content.decode()
        assert re.search(r'href="/c/c-cars/">Легковые автомобили</a> <span class="facet-count">5</span>', html)
        assert re.search(r'href="/c/c-transport/l-tashkent/">Ташкент</a> <span class="facet-count">4</span>', html)

    def test_price_buckets_link_to_a_range(self, client, corpus):
        html = client.get("/c/c-phones/").content.decode()
        assert "/c/c-phones/?price_min=5000000&amp;price_max=9999999" in html
        response = client.get("/c/c-phones/?price_min=5000000&price_max=9999999")
        assert titles(response) == ["iPhone 13 Pro", "Samsung Galaxy S21"]

    def test_active_filters_are_removable_chips_and_clear_all_keeps_q(self, client, corpus):
        html = client.get("/c/c-cars/?q=chevrolet&attrs.make=chevrolet&photo=1").content.decode()
        assert 'href="/c/c-cars/?q=chevrolet&amp;photo=1"' in html  # chip removing the make
        assert 'href="/c/c-cars/?q=chevrolet&amp;attrs.make=chevrolet"' in html  # chip removing the photo filter
        assert re.search(r'class="chip chip-clear" href="/c/c-cars/\?q=chevrolet"', html)

    def test_search_everywhere_offers_categories(self, client, corpus):
        html = client.get("/search/?q=chevrolet").content.decode()
        assert re.search(r'href="/c/c-transport/\?q=chevrolet">Транспорт</a> <span class="facet-count">3</span>', html)


class TestMalformedInput:
    @pytest.mark.parametrize(
        "query",
        [
            "price_min=abc",
            "price_max=-5",
            "price_min=1e400",
            "attrs.nope=1",
            "attrs.make=lamborghini",
            "attrs.year_min=двадцать",
            "condition=broken",
            "sort=random",
            "currency=EUR&price_min=10",
            "seller=alien",
            "photo=maybe",
            "page=-1",
            "page=abc",
            "q=" + "%27%3B+DROP+TABLE+listings_listing%3B--",
            "q=a%20%26%20%7C%20!%20:*%20%3C-%3E%20(",
            "q=" + "%00%01",
            "q=" + "x" * 5000,
            "attrs.make=" + "&attrs.make=".join(["chevrolet"] * 400),
        ],
    )
    def test_it_never_fails(self, client, corpus, query):
        response = client.get(f"/c/c-cars/?{query}", follow=True)
        assert response.status_code == 200

    def test_a_ten_kilobyte_query_string(self, client, corpus):
        junk = "&".join(f"attrs.k{i}=v{i}" for i in range(900))
        assert len(junk) > 10_000
        assert client.get(f"/c/c-cars/?{junk}").status_code == 200

    def test_a_malformed_price_is_a_form_error_and_ignored(self, client, corpus):
        response = client.get("/c/c-cars/?price_min=abc")
        html = response.content.decode()
        assert 'class="field-error" id="err-price_min"' in html
        assert len(titles(response)) == 5

    def test_unknown_options_and_attributes_are_ignored(self, client, corpus):
        response = client.get("/c/c-cars/?attrs.make=lamborghini&attrs.nope=1&attrs.make=toyota")
        assert titles(response) == ["Toyota Camry 2021"]

    def test_html_in_q_is_escaped_everywhere(self, client, corpus):
        response = client.get("/search/?q=%3Cscript%3Ealert(1)%3C/script%3E")
        html = response.content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_page_beyond_the_end_is_404(self, client, corpus):
        assert client.get("/c/c-cars/?page=999999").status_code == 404
        assert client.get("/c/c-cars/?page=99999999999999999999999").status_code == 404


class TestHtmxAndPlainForm:
    def test_the_plain_form_is_a_get_form_with_a_submit_button(self, client, corpus):
        html = client.get("/c/c-cars/").content.decode()
        form = re.search(r"<form id=\"srp-form\"[^>]*>", html).group(0)
        assert 'method="get"' in form and 'action="/c/c-cars/"' in form
        assert (
            'data-hx-get="/c/c-cars/"' in form and 'data-hx-target="#srp"' in form and 'data-hx-push-url="true"' in form
        )
        assert 'data-hx-trigger="change, submit"' in form
        assert '<button type="submit" class="button">' in html

    def test_a_submitted_form_redirects_to_the_tidy_address(self, client, corpus):
        response = client.get("/c/c-cars/?q=&price_min=&price_max=&currency=UZS&attrs.make=toyota&sort=newest")
        assert response.status_code == 302
        assert response["Location"] == "/c/c-cars/?attrs.make=toyota"

    def test_htmx_targeting_srp_gets_results_facets_and_count(self, client, corpus):
        response = client.get("/c/c-cars/?attrs.make=toyota", HTTP_HX_TARGET="srp", **HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="srp"')
        assert "<html" not in html
        assert 'id="results"' in html and "facet-count" in html and 'class="count"' in html
        assert "HX-Request" in response["Vary"]

    def test_htmx_pushes_the_tidy_address_instead_of_the_form_dump(self, client, corpus):
        response = client.get(
            "/c/c-cars/?q=&price_min=&currency=UZS&attrs.make=toyota&sort=newest", HTTP_HX_TARGET="srp", **HTMX
        )
        assert response.status_code == 200
        assert response["HX-Push-Url"] == "/c/c-cars/?attrs.make=toyota"

    def test_htmx_paging_gets_only_the_results(self, client, corpus, settings):
        settings.LISTINGS_PER_PAGE = 2
        response = client.get("/c/c-cars/?page=2", HTTP_HX_TARGET="results", **HTMX)
        assert response.content.decode().lstrip().startswith('<section id="results"')

    def test_a_plain_request_gets_the_whole_page(self, client, corpus):
        assert "<html" in client.get("/c/c-cars/?attrs.make=toyota").content.decode()


class TestSeo:
    def test_canonical_is_the_base_page_with_its_query(self, client, corpus):
        page = parse(client.get("/c/c-cars/?q=cobalt&attrs.make=chevrolet&sort=price_asc").content)
        assert page.canonical == [f"{BASE}/c/c-cars/?q=cobalt"]
        assert page.alternates["uz-UZ"] == f"{BASE}/uz/c/c-cars/?q=cobalt"

    def test_deep_facet_combinations_are_noindex(self, client, corpus):
        shallow = parse(client.get("/c/c-cars/?attrs.make=chevrolet").content)
        assert shallow.meta["robots"] == "index,follow"
        assert shallow.canonical == [f"{BASE}/c/c-cars/?attrs.make=chevrolet"]  # a landing page of its own
        deep = parse(client.get("/c/c-cars/?attrs.make=chevrolet&attrs.gearbox=manual").content)
        assert deep.meta["robots"] == "noindex,follow"
        assert deep.canonical == [f"{BASE}/c/c-cars/"]

    def test_empty_pages_are_noindex(self, client, corpus):
        assert parse(client.get("/search/?q=вертолёт").content).meta["robots"] == "noindex,follow"

    def test_prev_next_keep_the_filters(self, client, corpus, settings):
        settings.LISTINGS_PER_PAGE = 1
        page = parse(client.get("/c/c-cars/?attrs.make=chevrolet&page=2").content)
        assert page.prev == f"{BASE}/c/c-cars/?attrs.make=chevrolet"
        assert page.next == f"{BASE}/c/c-cars/?attrs.make=chevrolet&page=3"

    def test_item_list_is_the_results_in_order_and_breadcrumbs_lead_home(self, client, corpus):
        page = parse(client.get("/c/c-cars/?sort=price_desc").content)
        urls = [item["url"] for item in page.json_ld_of_type("ItemList")[0]["itemListElement"]]
        expected = [corpus.listings[n] for n in ("camry", "cobalt19", "cobalt16", "nexia", "spark")]
        assert urls == [f"{BASE}{listing.get_absolute_url()}" for listing in expected]
        crumbs = page.json_ld_of_type("BreadcrumbList")[0]["itemListElement"]
        assert [c["name"] for c in crumbs] == ["Главная", "Транспорт", "Легковые автомобили"]

    def test_search_everywhere_has_its_own_breadcrumb(self, client, corpus):
        page = parse(client.get("/search/?q=cobalt").content)
        crumbs = page.json_ld_of_type("BreadcrumbList")[0]["itemListElement"]
        assert [c["name"] for c in crumbs] == ["Главная", "Результаты поиска"]


class TestTextHelp:
    def test_a_typo_is_corrected_and_said_so(self, client, corpus):
        response = client.get("/search/?q=chevrolte")
        html = response.content.decode()
        assert len(titles(response)) == 3
        assert "chevrolet" in re.search(r'<p class="corrected"[^>]*>(.*?)</p>', html, re.S).group(1)

    def test_an_empty_result_suggests_dropping_filters_and_broadening_the_place(self, client, corpus):
        html = client.get("/c/c-cars/l-tashkent/?attrs.make=daewoo").content.decode()
        assert "Ничего не найдено" in html
        assert 'href="/c/c-cars/l-tashkent/"' in html  # without the make
        assert 'href="/c/c-cars/?attrs.make=daewoo"' in html  # all of Uzbekistan


class TestQueryBudget:
    def _queries(self, client, url: str) -> int:
        client.get(url)  # warm per-process caches (synonyms, thumbnails)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def test_the_number_of_queries_does_not_grow_with_results_or_facets(self, client, corpus, settings):
        settings.SEARCH_BACKENDS = {
            "default": {
                "BACKEND": "classifieds.search.backends.postgres.PostgresBackend",
                "OPTIONS": {"SUMMARY_CACHE_TTL": 0},
            }
        }
        url = "/c/c-cars/?attrs.make=chevrolet&attrs.make=toyota&attrs.gearbox=manual&q=chevrolet"
        few = self._queries(client, url)
        now = timezone.now()
        for i in range(30):
            listing = ListingFactory(
                category=corpus.categories["cars"],
                location=corpus.locations["chilanzar"],
                title=f"Chevrolet Lacetti {i}",
                price=Decimal(50_000_000 + i),
                refreshed_at=now - timedelta(minutes=i),
            )
            from classifieds.listings.services import listing_set_attributes

            listing_set_attributes(listing=listing, values={"make": "chevrolet", "gearbox": "manual"})
        search_process_events()
        many = self._queries(client, url)
        assert many == few
        assert many <= 16


@pytest.mark.parametrize("lang_path", ["/uz/c/c-cars/", "/c/c-cars/"])
def test_it_speaks_both_languages(client, corpus, lang_path):
    html = client.get(lang_path).content.decode()
    assert ("Narx" if lang_path.startswith("/uz/") else "Цена") in html


def test_listing_status_changes_reach_the_page_through_the_outbox(client, corpus, django_capture_on_commit_callbacks):
    from classifieds.listings.services import listings_changed

    spark = corpus.listings["spark"]
    Listing.objects.filter(pk=spark.pk).update(status=Listing.Status.SOLD)
    with django_capture_on_commit_callbacks(execute=True):
        listings_changed(listing_ids=[spark.pk], reason="sold")
    assert "Chevrolet Spark" not in titles(client.get("/c/c-cars/"))
