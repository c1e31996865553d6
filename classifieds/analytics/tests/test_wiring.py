"""The pages record their events: SRP and home impressions, views, reveals, favorites, filters, digest clicks.

And the hot path writes nothing for them: the SRP and the detail page run the same queries with
analytics on as with it off, none of them touching the analytics tables or the database cache.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classifieds.analytics.links import tracked_url
from classifieds.analytics.models import EventKind
from classifieds.analytics.services import analytics_flush
from classifieds.listings.tests.factories import ListingFactory
from classifieds.taxonomy.paths import srp_path
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

from .helpers import browser_client, counted

pytestmark = [pytest.mark.django_db]

K = EventKind


@pytest.fixture
def shelf():
    category = CategoryFactory(name_ru="Телефоны", name_uz="Telefonlar", slug_ru="telefony", slug_uz="telefonlar")
    location = LocationFactory(name_ru="Ташкент", name_uz="Toshkent", slug="tashkent", kind="city")
    listings = [ListingFactory(category=category, location=location, title=f"iPhone {n}") for n in range(3)]
    return category, listings


def queries(client, method: str, url: str, **data) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302)
    return [query["sql"] for query in captured.captured_queries]


def flushed() -> None:
    analytics_flush(settle=False)


class TestHotPathWritesNothing:
    @pytest.mark.parametrize("page", ["srp", "detail"])
    def test_the_page_runs_no_more_queries_with_analytics_and_none_on_its_tables(self, shelf, settings, page):
        category, listings = shelf
        url = srp_path(category) if page == "srp" else listings[0].get_absolute_url()
        settings.ANALYTICS_ENABLED = False
        off_client = browser_client()
        off_client.get(url)  # warm per-process caches
        off = queries(off_client, "get", url)
        settings.ANALYTICS_ENABLED = True
        on = queries(browser_client(), "get", url)
        assert len(on) == len(off)
        assert not [sql for sql in on if "analytics_" in sql]
        assert not [sql for sql in on if "bozor_cache" in sql and not sql.startswith("SELECT")]  # no cache writes
        flushed()
        if page == "srp":
            assert [counted(K.IMPRESSION, x.pk) for x in listings] == [1, 1, 1]
        else:
            assert counted(K.VIEW, listings[0].pk) == 1


class TestPagesRecord:
    def test_srp_impressions_count_once_per_visitor_per_day(self, shelf):
        category, listings = shelf
        visitor = browser_client()
        for _ in range(3):
            visitor.get(srp_path(category))
        browser_client().get(srp_path(category), REMOTE_ADDR="10.1.1.1")  # another visitor
        flushed()
        assert [counted(K.IMPRESSION, x.pk) for x in listings] == [2, 2, 2]

    def test_the_visitor_keeps_its_cookie(self, shelf):
        category, _listings = shelf
        visitor = browser_client()
        response = visitor.get(srp_path(category))
        assert response.cookies["bz_vid"]["httponly"]
        assert "bz_vid" not in visitor.get(srp_path(category)).cookies  # handed out once

    def test_a_bot_reading_the_srp_counts_nothing(self, shelf, client):
        category, listings = shelf
        client.get(srp_path(category), HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
        flushed()
        assert counted(K.IMPRESSION, listings[0].pk) == 0

    def test_home_counts_impressions_of_its_cards(self, shelf):
        _category, listings = shelf
        browser_client().get("/")
        flushed()
        assert [counted(K.IMPRESSION, x.pk) for x in listings] == [1, 1, 1]

    def test_filters_in_use_and_a_search_without_results(self, shelf):
        category, _listings = shelf
        visitor = browser_client()
        visitor.get(
            srp_path(category), {"price_min": "1000", "price_max": "5000000000", "sort": "price_asc"}, follow=True
        )
        visitor.get("/search/", {"q": "Samolyot Boeing"}, follow=True)
        flushed()
        assert counted(K.FILTER_CHANGE, subject="price") == 1
        assert counted(K.FILTER_CHANGE, subject="sort") == 1
        assert counted(K.SEARCH_NO_RESULTS, subject="samolyot boeing") == 1

    def test_detail_views_reveals_and_favorites(self, shelf):
        _category, listings = shelf
        listing = listings[0]
        visitor = browser_client()
        visitor.get(listing.get_absolute_url())
        visitor.get(listing.get_absolute_url())
        visitor.post(f"/l/{listing.pk}/phone/")
        visitor.post(f"/l/{listing.pk}/phone/")
        visitor.post(f"/saved/favorite/{listing.pk}/")  # added
        visitor.post(f"/saved/favorite/{listing.pk}/")  # removed: not a favorite event
        flushed()
        assert counted(K.VIEW, listing.pk) == 1
        assert counted(K.PHONE_REVEAL, listing.pk) == 1
        assert counted(K.FAVORITE, listing.pk) == 1


class TestCachedPagesRecordToo:
    """The anonymous page cache answers without running the view: its copy replays the page's events."""

    @pytest.mark.parametrize("page", ["srp", "home", "detail"])
    def test_a_visitor_served_from_the_page_cache_is_counted(self, shelf, page):
        category, listings = shelf
        url = {"srp": srp_path(category), "home": "/", "detail": listings[0].get_absolute_url()}[page]
        assert browser_client().get(url)["X-Page-Cache"] == "miss"
        assert browser_client().get(url, REMOTE_ADDR="10.2.2.2")["X-Page-Cache"] == "hit"
        flushed()
        if page == "detail":
            assert counted(K.VIEW, listings[0].pk) == 2
        else:
            assert [counted(K.IMPRESSION, x.pk) for x in listings] == [2, 2, 2]

    def test_a_cached_results_page_replays_its_filters(self, shelf):
        category, _listings = shelf
        url = srp_path(category) + "?sort=price_asc"
        browser_client().get(url)
        assert browser_client().get(url, REMOTE_ADDR="10.3.3.3")["X-Page-Cache"] == "hit"
        flushed()
        assert counted(K.FILTER_CHANGE, subject="sort") == 2


class TestTrackedLinks:
    def test_a_digest_link_counts_the_click_and_redirects(self, shelf):
        listing = shelf[1][0]
        link = tracked_url(listing.get_absolute_url(), kind=K.DIGEST_CLICK, listing_id=listing.pk)
        response = browser_client().get(link)
        assert response.status_code == 302 and response["Location"] == listing.get_absolute_url()
        flushed()
        assert counted(K.DIGEST_CLICK, listing.pk) == 1

    @pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "evil"])
    def test_a_link_off_the_site_is_a_404_even_when_signed(self, target):
        assert browser_client().get(tracked_url(target, kind=K.DIGEST_CLICK)).status_code == 404

    def test_a_forged_link_is_a_404(self):
        assert browser_client().get("/go/not-a-token/").status_code == 404
