"""HTTP caching: conditional GET on a listing's page, Cache-Control and Vary on HTML, gzip."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.services import listings_changed
from classifieds.search.services import search_process_events

from .factories import ListingFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def listing():
    return ListingFactory(title="Chevrolet Cobalt 2019")


def listing_changed(django_capture_on_commit_callbacks, listing) -> None:
    """What a service does after a write: an outbox event, indexed after commit (which stales cached copies)."""
    with django_capture_on_commit_callbacks(execute=True):
        listings_changed(listing_ids=[listing.pk], reason="test")
    search_process_events()


def first_visit(listing, client):
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    return response


class TestConditionalGet:
    def test_the_page_carries_an_etag_and_for_a_cookieless_visitor_last_modified(self, client, listing):
        response = first_visit(listing, client)
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"] == http_date(int(listing.updated_at.timestamp()))

    def test_the_same_page_again_is_a_304_by_etag(self, client, listing):
        etag = first_visit(listing, client)["ETag"]
        again = client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag

    def test_a_gzipped_weak_etag_validates_too(self, client, listing):
        etag = first_visit(listing, client)["ETag"]
        again = client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=f"W/{etag}", HTTP_ACCEPT_ENCODING="gzip")
        assert again.status_code == 304

    def test_a_view_of_somebody_else_does_not_make_the_copy_stale(self, client, listing):
        etag = first_visit(listing, client)["ETag"]
        Client().get(listing.get_absolute_url())  # the view counter moves
        assert client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_a_change_of_the_listing_gives_the_whole_page(self, client, listing, django_capture_on_commit_callbacks):
        etag = first_visit(listing, client)["ETag"]
        Listing.objects.filter(pk=listing.pk).update(price=listing.price + 1, updated_at=timezone.now())
        listing_changed(django_capture_on_commit_callbacks, listing)
        changed = client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag

    def test_if_modified_since_answers_304_until_the_listing_changes(self, listing, django_capture_on_commit_callbacks):
        crawler = Client()
        stamp = first_visit(listing, crawler)["Last-Modified"]
        assert Client().get(listing.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=stamp).status_code == 304
        later = timezone.now() + timedelta(minutes=5)
        Listing.objects.filter(pk=listing.pk).update(updated_at=later)
        listing_changed(django_capture_on_commit_callbacks, listing)
        assert Client().get(listing.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=stamp).status_code == 200

    def test_a_signed_in_visitor_sees_their_own_page_not_the_anonymous_copy(self, client, listing):
        etag = first_visit(listing, client)["ETag"]
        client.force_login(UserFactory())
        signed_in = client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
        assert signed_in.status_code == 200
        assert not signed_in.has_header("Last-Modified")  # it has cookies: only the ETag decides
        assert client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=signed_in["ETag"]).status_code == 304

    def test_htmx_fragments_are_not_validated(self, client, listing):
        etag = first_visit(listing, client)["ETag"]
        assert (
            client.get(listing.get_absolute_url(), HTTP_IF_NONE_MATCH=etag, HTTP_HX_REQUEST="true").status_code == 200
        )


class TestCacheControlAndVary:
    def test_a_cookieless_visitor_may_keep_the_page_briefly(self, client, listing, settings):
        settings.HTML_CACHE_SECONDS = 90
        response = first_visit(listing, client)
        assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "max-age=90"}
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"hx-request", "cookie", "accept-language"} <= vary

    def test_a_visitor_with_a_session_revalidates_every_time(self, client, listing):
        client.force_login(UserFactory())
        response = client.get("/")
        assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-cache"}
        assert "cookie" in response["Vary"].lower()

    def test_a_language_in_the_path_does_not_vary_on_accept_language(self, client, listing):
        vary = {v.strip().lower() for v in client.get("/uz/")["Vary"].split(",")}
        assert "hx-request" in vary and "accept-language" not in vary

    def test_a_redirect_or_a_post_answer_is_left_alone(self, client, listing):
        wrong_slug = client.get(f"/l/{listing.pk}-wrong/")
        assert wrong_slug.status_code == 301 and not wrong_slug.has_header("ETag")


class TestCompression:
    def test_html_is_gzipped_for_a_browser_that_asks(self, client, listing):
        response = client.get(listing.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
        assert response["Content-Encoding"] == "gzip"
        assert b"Chevrolet Cobalt 2019" in gzip.decompress(response.content)
        assert "accept-encoding" in response["Vary"].lower()

    def test_and_plain_for_one_that_does_not(self, client, listing):
        response = client.get(listing.get_absolute_url())
        assert not response.has_header("Content-Encoding")
        assert "Chevrolet Cobalt 2019" in response.content.decode()
