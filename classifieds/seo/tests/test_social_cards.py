"""Open Graph and Twitter cards (the listing's cover photo), app links from settings, own pages described but noindex."""

from __future__ import annotations

import pytest

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.seo.tests.markup import parse

pytestmark = [pytest.mark.django_db]

BASE = "https://bozor.example"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE


@pytest.fixture
def listing():
    listing = ListingFactory(title="Chevrolet Cobalt 2019")
    ListingPhotoFactory(listing=listing, order=1)
    ListingPhotoFactory(listing=listing, order=0)  # the cover: first in order
    return listing


def cover_url(listing) -> str:
    return f"{BASE}{min(listing.photos.all(), key=lambda p: p.order).image.url}"


class TestCards:
    def test_a_listing_is_shared_with_its_cover_photo(self, client, listing):
        meta = parse(client.get(listing.get_absolute_url()).content).meta
        assert meta["og:type"] == "product"
        assert meta["og:image"] == meta["twitter:image"] == cover_url(listing)
        assert meta["og:image:alt"].startswith("Chevrolet Cobalt 2019")
        assert meta["twitter:card"] == "summary_large_image"
        assert meta["twitter:title"] == meta["og:title"]
        assert meta["og:url"] == f"{BASE}{listing.get_absolute_url()}"

    def test_a_page_without_a_photo_gets_the_small_card(self, client):
        meta = parse(client.get("/").content).meta
        assert meta["twitter:card"] == "summary"
        assert "og:image" not in meta and "twitter:image" not in meta
        assert meta["twitter:description"] == meta["og:description"] == meta["description"]


class TestAppLinks:
    def test_none_unless_configured(self, client, listing):
        meta = parse(client.get(listing.get_absolute_url()).content).meta
        assert not [key for key in meta if key.startswith("al:")]

    def test_configured_apps_get_their_links_to_the_same_page(self, client, listing, settings):
        settings.APP_ANDROID_PACKAGE = "uz.bozor.app"
        settings.APP_IOS_STORE_ID = "1234567890"
        settings.APP_URL_SCHEME = "bozor://"
        path = listing.get_absolute_url()  # (before the request: it leaves uz active)
        meta = parse(client.get(f"/uz{path}").content).meta
        assert meta["al:android:package"] == "uz.bozor.app"
        assert meta["al:ios:app_store_id"] == "1234567890"
        assert meta["al:android:url"] == meta["al:ios:url"] == f"bozor://uz{path}"
        assert meta["al:android:app_name"] == meta["al:ios:app_name"] == "Bozor"

    def test_without_a_scheme_only_the_apps_are_named(self, client, listing, settings):
        settings.APP_ANDROID_PACKAGE = "uz.bozor.app"
        meta = parse(client.get(listing.get_absolute_url()).content).meta
        assert meta["al:android:package"] == "uz.bozor.app"
        assert "al:android:url" not in meta and "al:ios:app_store_id" not in meta


class TestOwnPages:
    @pytest.mark.parametrize("url", ["/auth/otp/", "/uz/auth/otp/"])
    def test_sign_in_is_described_but_not_indexed(self, client, url):
        meta = parse(client.get(url).content).meta
        assert meta["robots"].startswith("noindex")
        assert len(meta["description"]) > 50

    def test_the_dashboard_too(self, client):
        client.force_login(UserFactory())
        meta = parse(client.get("/u/listings/").content).meta
        assert meta["robots"] == "noindex,follow" and meta["description"]
