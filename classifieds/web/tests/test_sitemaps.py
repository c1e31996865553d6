"""Sitemaps, parsed as crawlers parse them: absolute URLs from BASE_URL, hreflang as on pages, splits, lastmod, images."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree as ET
from django.core.cache import cache

from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory
from classifieds.web import sitemaps

pytestmark = [pytest.mark.django_db]

BASE = "https://bozor.example"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.BASE_URL = BASE
    cache.clear()  # the sitemap views are cached for an hour
    yield
    cache.clear()


@pytest.fixture
def catalog():
    transport = CategoryFactory(name_ru="Транспорт", name_uz="Transport", slug_ru="transport", slug_uz="transport-uz")
    cars = CategoryFactory(parent=transport, name_ru="Легковые", name_uz="Yengil", slug_ru="legkovye", slug_uz="yengil")
    phones = CategoryFactory(name_ru="Телефоны", name_uz="Telefonlar", slug_ru="telefony", slug_uz="telefonlar")
    november = datetime(2026, 11, 10, 12, tzinfo=UTC)
    october = datetime(2026, 10, 3, 12, tzinfo=UTC)
    listings = {
        "cobalt": ListingFactory(category=cars, title="Chevrolet Cobalt", created_at=november),
        "nexia": ListingFactory(category=cars, title="Daewoo Nexia", created_at=october),
        "redmi": ListingFactory(category=phones, title="Redmi Note", created_at=november),
        "sold": ListingFactory(category=phones, title="Sold phone", created_at=november, status=Listing.Status.SOLD),
    }
    ListingPhotoFactory(listing=listings["cobalt"], order=1)
    ListingPhotoFactory(listing=listings["cobalt"], order=0)
    return {"transport": transport, "cars": cars, "phones": phones, **listings}


def parse(client, url: str) -> ET.Element:
    response = client.get(url, HTTP_HOST="testserver")
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def children(client) -> dict[str, ET.Element]:
    index = parse(client, "/sitemap.xml")
    return {loc.text: parse(client, loc.text.removeprefix(BASE)) for loc in index.findall("s:sitemap/s:loc", NS)}


class TestIndex:
    def test_every_child_is_absolute_from_base_url_with_a_lastmod(self, client, catalog):
        index = parse(client, "/sitemap.xml")
        entries = index.findall("s:sitemap", NS)
        assert entries
        for entry in entries:
            assert entry.find("s:loc", NS).text.startswith(f"{BASE}/sitemap-")
            assert datetime.fromisoformat(entry.find("s:lastmod", NS).text)

    def test_listings_are_split_per_top_category_and_month(self, client, catalog):
        locs = {loc.text for loc in parse(client, "/sitemap.xml").findall("s:sitemap/s:loc", NS)}
        transport, phones = catalog["transport"].pk, catalog["phones"].pk
        assert locs == {
            f"{BASE}/sitemap-categories.xml",
            f"{BASE}/sitemap-places.xml",
            f"{BASE}/sitemap-listings-{transport}-2026-11.xml",
            f"{BASE}/sitemap-listings-{transport}-2026-10.xml",
            f"{BASE}/sitemap-listings-{phones}-2026-11.xml",
        }

    def test_a_month_over_the_limit_is_paged(self, client, catalog, monkeypatch):
        monkeypatch.setattr(sitemaps, "URLS_PER_FILE", 2)  # one listing (two languages) per file
        ListingFactory(category=catalog["cars"], created_at=catalog["cobalt"].created_at)
        transport = catalog["transport"].pk
        locs = {loc.text for loc in parse(client, "/sitemap.xml").findall("s:sitemap/s:loc", NS)}
        assert f"{BASE}/sitemap-listings-{transport}-2026-11.xml" in locs
        assert f"{BASE}/sitemap-listings-{transport}-2026-11.xml?p=2" in locs
        first = parse(client, f"/sitemap-listings-{transport}-2026-11.xml")
        second = parse(client, f"/sitemap-listings-{transport}-2026-11.xml?p=2")
        assert len(first.findall("s:url", NS)) == len(second.findall("s:url", NS)) == 2
        assert client.get(f"/sitemap-listings-{transport}-2026-11.xml?p=3").status_code == 404


class TestEntries:
    def test_every_url_is_absolute_has_a_lastmod_and_the_hreflang_trio_of_the_pages(self, client, catalog):
        urls = [url for sitemap in children(client).values() for url in sitemap.findall("s:url", NS)]
        assert urls
        for url in urls:
            assert url.find("s:loc", NS).text.startswith(f"{BASE}/")
            assert datetime.fromisoformat(url.find("s:lastmod", NS).text)
            links = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
            assert set(links) == {"ru-UZ", "uz-UZ", "x-default"}
            assert links["x-default"] == links["ru-UZ"]
            assert url.find("s:loc", NS).text in (links["ru-UZ"], links["uz-UZ"])

    def test_each_page_is_listed_in_both_languages(self, client, catalog):
        locs = {url.find("s:loc", NS).text for s in children(client).values() for url in s.findall("s:url", NS)}
        cobalt = catalog["cobalt"].get_absolute_url()
        assert {f"{BASE}{cobalt}", f"{BASE}/uz{cobalt}"} <= locs
        assert {f"{BASE}/c/transport/", f"{BASE}/uz/c/transport-uz/", f"{BASE}/c/legkovye/"} <= locs

    def test_only_what_buyers_can_find_is_listed(self, client, catalog):
        locs = {url.find("s:loc", NS).text for s in children(client).values() for url in s.findall("s:url", NS)}
        assert f"{BASE}{catalog['sold'].get_absolute_url()}" not in locs

    def test_a_listing_carries_its_photos_cover_first_and_its_own_lastmod(self, client, catalog):
        cobalt = catalog["cobalt"]
        sitemap = parse(client, f"/sitemap-listings-{catalog['transport'].pk}-2026-11.xml")
        (entry,) = [
            u for u in sitemap.findall("s:url", NS) if u.find("s:loc", NS).text == f"{BASE}{cobalt.get_absolute_url()}"
        ]
        images = [loc.text for loc in entry.findall("image:image/image:loc", NS)]
        covers = sorted(cobalt.photos.all(), key=lambda p: p.order)
        assert images == [f"{BASE}{photo.image.url}" for photo in covers]
        assert datetime.fromisoformat(entry.find("s:lastmod", NS).text) == cobalt.updated_at.replace(microsecond=0)

    def test_a_category_is_as_fresh_as_the_newest_change_in_its_subtree(self, client, catalog):
        later = datetime.now(UTC) + timedelta(hours=1)
        Listing.objects.filter(pk=catalog["nexia"].pk).update(updated_at=later)
        sitemap = parse(client, "/sitemap-categories.xml")
        stamps = {u.find("s:loc", NS).text: u.find("s:lastmod", NS).text for u in sitemap.findall("s:url", NS)}
        assert datetime.fromisoformat(stamps[f"{BASE}/c/transport/"]) == later.replace(microsecond=0)
        assert datetime.fromisoformat(stamps[f"{BASE}/c/telefony/"]) < later.replace(microsecond=0)


class TestAddresses:
    @pytest.mark.parametrize(
        "url", ["/sitemap-nothing.xml", "/sitemap-listings-x-2026-11.xml", "/sitemap-listings-1-2026-13.xml",
                "/sitemap-categories.xml?p=2", "/sitemap-listings-1-2026-11.xml?p=abc"],
    )  # fmt: skip
    def test_an_unknown_sitemap_is_a_404(self, client, catalog, url):
        assert client.get(url).status_code == 404

    def test_robots_txt_names_the_index_absolutely(self, client):
        assert f"Sitemap: {BASE}/sitemap.xml" in client.get("/robots.txt").content.decode()

    def test_the_index_ignores_the_host_it_was_asked_on(self, client, catalog, settings):
        settings.ALLOWED_HOSTS = ["other.example"]
        index = client.get("/sitemap.xml", HTTP_HOST="other.example")
        assert b"other.example" not in index.content
        assert urlsplit(ET.fromstring(index.content).find("s:sitemap/s:loc", NS).text).netloc == "bozor.example"


class TestPlacePages:
    def test_categories_in_places_with_listings_are_listed_with_each_languages_slugs(self, client, catalog):
        region = LocationFactory(name="Ташкент", name_uz="Toshkent", slug_ru="tashkent", slug_uz="toshkent")
        district = LocationFactory(parent=region, name="Чиланзар", slug_ru="chilanzar", slug_uz="chilonzor-tumani")
        LocationFactory(parent=region, name="Юнусабад", slug_ru="yunusabad", slug_uz="yunusobod-tumani")  # empty
        ListingFactory(category=catalog["cars"], location=district, title="Spark")
        ListingFactory(category=catalog["phones"], location=district, title="Sold", status=Listing.Status.SOLD)

        urls = parse(client, "/sitemap-places.xml").findall("s:url", NS)
        locs = {url.find("s:loc", NS).text for url in urls}

        for category in ("legkovye", "transport"):
            for place in ("tashkent", "chilanzar"):
                assert f"{BASE}/c/{category}/{place}/" in locs
        for category in ("yengil", "transport-uz"):
            for place in ("toshkent", "chilonzor-tumani"):
                assert f"{BASE}/uz/c/{category}/{place}/" in locs
        assert not any("yunus" in loc or "/telefony/tashkent/" in loc for loc in locs)
        spark = next(u for u in urls if u.find("s:loc", NS).text == f"{BASE}/uz/c/yengil/toshkent/")
        links = {link.get("hreflang"): link.get("href") for link in spark.findall("xhtml:link", NS)}
        assert links == {
            "ru-UZ": f"{BASE}/c/legkovye/tashkent/",
            "uz-UZ": f"{BASE}/uz/c/yengil/toshkent/",
            "x-default": f"{BASE}/c/legkovye/tashkent/",
        }
        assert f"{BASE}/sitemap-places.xml" in {
            loc.text for loc in parse(client, "/sitemap.xml").iter(f"{{{NS['s']}}}loc")
        }

    def test_every_listed_place_page_is_an_indexed_landing_page(self, client, catalog):
        region = LocationFactory(name="Самарканд", name_uz="Samarqand", slug_ru="samarkand", slug_uz="samarqand")
        ListingFactory(category=catalog["cars"], location=region, title="Matiz")
        for url in parse(client, "/sitemap-places.xml").findall("s:url", NS):
            page = client.get(url.find("s:loc", NS).text.removeprefix(BASE))
            assert page.status_code == 200
            assert '<meta name="robots" content="index,follow">' in page.content.decode()
