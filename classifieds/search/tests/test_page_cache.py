"""Anonymous pages are served from the cache, stay right after every change, and never leak a visitor's parts."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.analytics.tests.helpers import BROWSER
from classifieds.core import pagecache
from classifieds.listings.models import Listing
from classifieds.listings.services import listings_changed
from classifieds.listings.tests.factories import ListingFactory
from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus

pytestmark = [pytest.mark.django_db]

HIT = "hit"


@pytest.fixture
def corpus():
    corpus = build_corpus()
    search_process_events()
    return corpus


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def changed(django_capture_on_commit_callbacks, *listings: Listing) -> None:
    """What a service does: an outbox event in its transaction; the worker indexes after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        listings_changed(listing_ids=[listing.pk for listing in listings], reason="test")
    search_process_events()


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) + re.findall(
        r'"X-CSRFToken": "([^"]+)"', html
    )


PAGES = ["/", "/c/c-cars/", "/uz/c/c-cars/", "/search/?q=cobalt"]


class TestAnonymousPages:
    @pytest.mark.parametrize("url", PAGES)
    def test_the_second_visit_is_served_from_the_cache(self, client, corpus, url):
        first = client.get(url)
        assert first.status_code == 200 and cache_state(first) == "miss"
        second = Client().get(url)
        assert second.status_code == 200 and cache_state(second) == HIT
        strip = lambda html: re.sub(r'(value="|"X-CSRFToken": "|nonce=")[^"]+', "", html)  # noqa: E731
        assert strip(second.content.decode()) == strip(first.content.decode())

    def test_a_hit_costs_no_sql_but_the_stamps_read(self, client, corpus):
        client.get("/c/c-cars/")
        with CaptureQueriesContext(connection) as captured:
            assert cache_state(Client().get("/c/c-cars/")) == HIT
        assert len(captured) <= 1  # the stamps (one cache read; none with Redis)
        assert not [q for q in captured.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]

    def test_a_new_release_does_not_serve_the_pages_of_the_one_before(self, client, corpus, monkeypatch):
        """The cache outlives a deploy; a page cached before it links static files by the old hashed names."""
        monkeypatch.setattr(pagecache, "staticfiles_storage", SimpleNamespace(manifest_hash="release-1"))
        client.get("/c/c-cars/")
        assert cache_state(Client().get("/c/c-cars/")) == HIT
        monkeypatch.setattr(pagecache, "staticfiles_storage", SimpleNamespace(manifest_hash="release-2"))
        assert cache_state(Client().get("/c/c-cars/")) == "miss"
        assert cache_state(Client().get("/c/c-cars/")) == HIT
        monkeypatch.setattr(pagecache, "staticfiles_storage", SimpleNamespace())  # DEBUG: no manifest
        assert cache_state(Client().get("/c/c-cars/")) == "miss"

    def test_the_detail_page_is_cached_and_still_counts_views(self, client, corpus):
        listing = corpus.listings["cobalt19"]
        url = listing.get_absolute_url()
        client.get(url, HTTP_USER_AGENT=BROWSER)
        assert cache_state(Client(HTTP_USER_AGENT=BROWSER).get(url)) == HIT
        listing.refresh_from_db()
        assert listing.views_count == 2

    def test_htmx_fragments_and_other_languages_are_not_mixed_up(self, client, corpus):
        client.get("/c/c-cars/")
        fragment = Client().get("/c/c-cars/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
        assert cache_state(fragment) is None and "<html" not in fragment.content.decode()
        uz = Client().get("/uz/c/c-cars/")
        assert cache_state(uz) == "miss" and 'lang="uz"' in uz.content.decode()


class TestInvalidation:
    def test_a_changed_price_shows_at_once_on_the_detail_and_results_pages(
        self, client, corpus, django_capture_on_commit_callbacks
    ):
        listing = corpus.listings["cobalt19"]
        pages = [listing.get_absolute_url(), "/c/c-cars/", "/c/c-transport/", "/", "/search/?q=cobalt"]
        for url in pages:
            client.get(url)
            assert cache_state(Client().get(url)) == HIT
        Listing.objects.filter(pk=listing.pk).update(price=Decimal("123456789"), updated_at=timezone.now())
        changed(django_capture_on_commit_callbacks, listing)
        for url in pages:
            response = Client().get(url)
            assert cache_state(response) != HIT, url
            if url != "/":  # home shows the newest listings, and cobalt19 may not be the newest
                assert re.search(r"123\W{1,2}456\W{1,2}789", response.content.decode()), url

    def test_a_new_listing_appears_on_its_categorys_first_page(
        self, client, corpus, django_capture_on_commit_callbacks
    ):
        client.get("/c/c-cars/")
        assert cache_state(Client().get("/c/c-cars/")) == HIT
        fresh = ListingFactory(
            category=corpus.categories["cars"], location=corpus.locations["chilanzar"], title="Lada Vesta свежая"
        )
        changed(django_capture_on_commit_callbacks, fresh)
        assert "Lada Vesta свежая" in Client().get("/c/c-cars/").content.decode()

    def test_a_change_in_another_category_keeps_this_ones_pages(
        self, client, corpus, django_capture_on_commit_callbacks
    ):
        client.get("/c/c-cars/")
        changed(django_capture_on_commit_callbacks, corpus.listings["iphone"])
        assert cache_state(Client().get("/c/c-cars/")) == HIT


class TestNothingPersonalLeaks:
    def test_a_signed_in_visitor_neither_fills_nor_reads_the_cache(self, client, corpus):
        user = UserFactory(display_name="Алишер Секретов")
        client.force_login(user)
        mine = client.get("/c/c-cars/")
        assert "Алишер Секретов" in mine.content.decode() and cache_state(mine) is None
        anonymous = Client().get("/c/c-cars/")
        assert "Алишер Секретов" not in anonymous.content.decode() and cache_state(anonymous) == "miss"
        again = client.get("/c/c-cars/")
        assert "Алишер Секретов" in again.content.decode() and cache_state(again) is None

    def test_each_visitor_gets_their_own_csrf_token_and_nonce(self, corpus):
        first, second = Client(), Client()
        first.get("/c/c-cars/")
        response = second.get("/c/c-cars/")
        assert cache_state(response) == HIT
        html = response.content.decode()
        tokens = csrf_tokens(html)
        assert tokens and "\x00" not in html
        nonce = re.search(r'nonce="([^"]+)"', html).group(1)
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]

    def test_a_cached_pages_token_lets_its_visitor_post(self, corpus):
        Client().get("/c/c-cars/")
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get("/c/c-cars/").content.decode()
        token = csrf_tokens(html)[0]
        listing = corpus.listings["cobalt19"]
        allowed = visitor.post(f"/l/{listing.pk}/phone/", {"csrfmiddlewaretoken": token})
        assert allowed.status_code == 302  # not 403: the token is this visitor's
        stranger = Client(enforce_csrf_checks=True)
        stranger.get("/")
        assert stranger.post(f"/l/{listing.pk}/phone/", {"csrfmiddlewaretoken": token}).status_code == 403

    def test_a_visitor_with_a_message_gets_a_fresh_page(self, client, corpus):
        Client().get("/c/c-cars/")
        client.cookies["messages"] = "anything"
        assert cache_state(client.get("/c/c-cars/")) is None
