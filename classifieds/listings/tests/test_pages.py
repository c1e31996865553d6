"""Browse pages in ru and uz: home, category (+ location), listing detail, phone reveal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from classifieds.analytics.tests.helpers import BROWSER
from classifieds.listings.models import Listing
from classifieds.listings.services import listing_set_attributes
from classifieds.seo.tests.markup import parse
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    CategoryFactory,
    LocationFactory,
)

from .factories import ListingFactory, ListingPhotoFactory

BASE = "http://bozor.test"
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("base_url")]


@pytest.fixture
def base_url(settings):
    settings.BASE_URL = BASE


@pytest.fixture
def catalog():
    transport = CategoryFactory(
        name_ru="Транспорт", name_uz="Transport", slug_ru="transport", slug_uz="transport-uz", icon="car"
    )
    cars = CategoryFactory(
        parent=transport,
        name_ru="Легковые автомобили",
        name_uz="Yengil avtomobillar",
        slug_ru="legkovye",
        slug_uz="yengil",
    )
    trucks = CategoryFactory(
        parent=transport, name_ru="Грузовики", name_uz="Yuk mashinalari", slug_ru="gruzoviki", slug_uz="yuk"
    )
    make = AttributeFactory(
        category=cars, key="make", label_ru="Марка", label_uz="Marka", type=Attribute.Type.CHOICE, filterable=True
    )
    AttributeOptionFactory(attribute=make, value="chevrolet", label_ru="Chevrolet", label_uz="Chevrolet")
    mileage = AttributeFactory(
        category=cars,
        key="mileage",
        label_ru="Пробег",
        label_uz="Yurgani",
        type=Attribute.Type.INTEGER,
        unit_ru="км",
        unit_uz="km",
    )
    tashkent = LocationFactory(name_ru="Ташкент", name_uz="Toshkent", slug="tashkent", kind="city")
    yunusabad = LocationFactory(
        parent=tashkent, name_ru="Юнусабад", name_uz="Yunusobod", slug="yunusabad", kind="district"
    )
    samarkand = LocationFactory(name_ru="Самарканд", name_uz="Samarqand", slug="samarkand", kind="region")
    return {
        "transport": transport,
        "cars": cars,
        "trucks": trucks,
        "make": make,
        "mileage": mileage,
        "tashkent": tashkent,
        "yunusabad": yunusabad,
        "samarkand": samarkand,
    }


def car(catalog, **kwargs) -> Listing:
    kwargs.setdefault("category", catalog["cars"])
    kwargs.setdefault("location", catalog["yunusabad"])
    return ListingFactory(**kwargs)


class TestHome:
    @pytest.mark.parametrize(
        ("path", "lang", "tile", "heading"),
        [("/", "ru", "Транспорт", "Свежие объявления"), ("/uz/", "uz", "Transport", "Yangi e’lonlar")],
    )
    def test_it_shows_category_tiles_and_recent_listings_in_each_language(
        self, client, catalog, path, lang, tile, heading
    ):
        listing = car(catalog, title="Chevrolet Cobalt 2019")
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        page = parse(html)
        assert page.lang == lang
        assert tile in html
        assert heading in html
        assert listing.title in html
        assert any(link.get("href") == listing.get_absolute_url() for link in page.links)

    def test_its_markup_names_the_site_and_both_languages(self, client, catalog):
        page = parse(client.get("/").content)
        assert page.canonical == [f"{BASE}/"]
        assert page.alternates == {"ru-UZ": f"{BASE}/", "uz-UZ": f"{BASE}/uz/", "x-default": f"{BASE}/"}
        assert page.json_ld_of_type("WebSite")[0]["url"] == f"{BASE}/"
        assert page.json_ld_of_type("Organization")[0]["name"] == "Bozor"
        assert page.meta["og:url"] == f"{BASE}/"

    def test_the_language_switcher_keeps_the_page(self, client, catalog):
        page = parse(client.get("/c/legkovye/").content)
        switch = [link["href"] for link in page.links if link.get("hreflang") == "uz"]
        assert switch == ["/uz/c/yengil/"]  # relative: it must not depend on BASE_URL

    def test_the_language_switcher_keeps_filters_and_page(self, client, catalog):
        car(catalog)
        page = parse(client.get("/c/legkovye/?condition=used&sort=price_asc").content)
        switch = [link["href"] for link in page.links if link.get("hreflang") == "uz"]
        assert switch == ["/uz/c/yengil/?condition=used&sort=price_asc"]
        # ...while hreflang alternates stay on the clean, canonical address.
        assert "condition" not in page.alternates["uz-UZ"]

    def test_hidden_listings_are_not_recent(self, client, catalog):
        car(catalog, title="Sold Spark", status=Listing.Status.SOLD)
        car(catalog, title="Draft Nexia", status=Listing.Status.DRAFT)
        car(catalog, title="Expired Gentra", expires_at=timezone.now() - timedelta(minutes=1))
        html = client.get("/").content.decode()
        assert "Sold Spark" not in html
        assert "Draft Nexia" not in html
        assert "Expired Gentra" not in html


class TestCategoryPage:
    def test_it_lists_the_active_listings_of_the_subtree_newest_first(self, client, catalog):
        now = timezone.now()
        older = car(catalog, title="Older car", refreshed_at=now - timedelta(days=2))
        newer = ListingFactory(
            category=catalog["trucks"], location=catalog["samarkand"], title="Newer truck", refreshed_at=now
        )
        car(catalog, title="Pending car", status=Listing.Status.PENDING)
        ListingFactory(title="Elsewhere")  # another category tree

        response = client.get("/c/transport/")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Newer truck") < html.index("Older car")
        assert "Pending car" not in html
        assert "Elsewhere" not in html
        page = parse(html)
        items = page.json_ld_of_type("ItemList")[0]["itemListElement"]
        assert [item["url"] for item in items] == [
            f"{BASE}{newer.get_absolute_url()}",
            f"{BASE}{older.get_absolute_url()}",
        ]
        assert [item["position"] for item in items] == [1, 2]

    def test_its_breadcrumbs_go_from_home_to_the_category(self, client, catalog):
        page = parse(client.get("/c/legkovye/").content)
        crumbs = page.json_ld_of_type("BreadcrumbList")[0]["itemListElement"]
        assert [c["name"] for c in crumbs] == ["Главная", "Транспорт", "Легковые автомобили"]
        assert crumbs[-1]["item"] == f"{BASE}/c/legkovye/"

    def test_it_serves_uzbek_under_the_uzbek_slug(self, client, catalog):
        response = client.get("/uz/c/yengil/")
        assert response.status_code == 200
        page = parse(response.content)
        assert page.lang == "uz"
        assert page.canonical == [f"{BASE}/uz/c/yengil/"]
        assert page.alternates["ru-UZ"] == f"{BASE}/c/legkovye/"
        assert page.alternates["uz-UZ"] == f"{BASE}/uz/c/yengil/"
        assert page.alternates["x-default"] == f"{BASE}/c/legkovye/"
        assert "Yengil avtomobillar" in response.content.decode()

    def test_the_other_languages_slug_redirects_permanently(self, client, catalog):
        response = client.get("/uz/c/legkovye/?page=1")
        assert response.status_code == 301
        assert response["Location"] == "/uz/c/yengil/?page=1"
        assert client.get("/c/yengil/")["Location"] == "/c/legkovye/"

    def test_an_unknown_category_is_404(self, client, catalog):
        assert client.get("/c/no-such-thing/").status_code == 404
        assert client.get("/c/legkovye/nowhere/").status_code == 404

    def test_a_location_narrows_to_its_subtree(self, client, catalog):
        car(catalog, title="In Yunusabad")
        car(catalog, title="In Samarkand", location=catalog["samarkand"])
        response = client.get("/c/transport/tashkent/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "In Yunusabad" in html
        assert "In Samarkand" not in html
        page = parse(html)
        assert page.canonical == [f"{BASE}/c/transport/tashkent/"]
        assert page.json_ld_of_type("BreadcrumbList")[0]["itemListElement"][-1]["name"] == "Ташкент"

    @override_settings(LISTINGS_PER_PAGE=2)
    def test_it_paginates_with_real_links(self, client, catalog):
        now = timezone.now()
        for i in range(5):
            car(catalog, title=f"Car number {i}", refreshed_at=now - timedelta(hours=i))
        first = parse(client.get("/c/legkovye/").content)
        assert first.next == f"{BASE}/c/legkovye/?page=2"
        assert first.prev == ""
        assert {"href": "/c/legkovye/?page=3"}.items() <= next(
            link for link in first.links if link.get("href") == "/c/legkovye/?page=3"
        ).items()

        second = client.get("/c/legkovye/?page=2")
        html = second.content.decode()
        assert "Car number 2" in html and "Car number 0" not in html
        markup = parse(html)
        assert markup.canonical == [f"{BASE}/c/legkovye/?page=2"]
        assert markup.prev == f"{BASE}/c/legkovye/"
        assert markup.next == f"{BASE}/c/legkovye/?page=3"

    @override_settings(LISTINGS_PER_PAGE=2)
    def test_bad_page_numbers_never_fail(self, client, catalog):
        car(catalog)
        assert client.get("/c/legkovye/?page=abc").status_code == 200
        assert client.get("/c/legkovye/?page=-1").status_code == 200
        assert client.get("/c/legkovye/?page=99").status_code == 404
        assert client.get("/c/legkovye/?page=999999999999999999999").status_code == 404

    @override_settings(LISTINGS_PER_PAGE=2)
    def test_htmx_gets_only_the_results_fragment(self, client, catalog):
        for i in range(3):
            car(catalog, title=f"Car number {i}")
        response = client.get("/c/legkovye/?page=2", HTTP_HX_TARGET="results", **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<section id="results"')
        assert "<html" not in html
        assert "HX-Request" in response["Vary"]

    def test_a_boosted_or_untargeted_htmx_request_gets_the_whole_page(self, client, catalog):
        response = client.get("/c/legkovye/", **HTMX)
        assert "<html" in response.content.decode()

    def test_an_empty_category_suggests_where_to_look(self, client, catalog):
        html = client.get("/c/legkovye/tashkent/").content.decode()
        assert "Пока ничего нет" in html
        assert 'href="/c/legkovye/"' in html


class TestListingDetail:
    def test_it_shows_the_listing_with_attributes_and_units(self, client, catalog):
        listing = car(catalog, title="Chevrolet Cobalt 2019", price=Decimal("12500"), currency="USD")
        listing_set_attributes(listing=listing, values={"make": "chevrolet", "mileage": "45000"})
        ListingPhotoFactory(listing=listing)
        response = client.get(listing.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Chevrolet Cobalt 2019" in html
        assert "12\u00a0500\u00a0$" in html
        assert "45000 км" in html
        assert listing.owner.display_name in html
        assert "+998 90 *** ** 67" in html
        assert "+998 90 123 45 67" not in html

    def test_its_product_markup_carries_the_offer_and_attributes(self, client, catalog):
        listing = car(catalog, price=Decimal("125000000"), currency="UZS")
        listing_set_attributes(listing=listing, values={"make": "chevrolet", "mileage": "45000"})
        photo = ListingPhotoFactory(listing=listing)
        page = parse(client.get(listing.get_absolute_url()).content)
        product = page.json_ld_of_type("Product")[0]
        assert product["name"] == listing.title
        assert product["offers"]["price"] == "125000000"
        assert product["offers"]["priceCurrency"] == "UZS"
        assert product["offers"]["availability"] == "https://schema.org/InStock"
        assert product["offers"]["areaServed"]["name"] == "Юнусабад"
        assert product["image"] == [f"{BASE}{photo.image.url}"]
        assert {"@type": "PropertyValue", "name": "Пробег", "value": "45000", "unitText": "км"} in product[
            "additionalProperty"
        ]
        assert {"@type": "PropertyValue", "name": "Марка", "value": "Chevrolet"} in product["additionalProperty"]
        assert page.canonical == [f"{BASE}{listing.get_absolute_url()}"]
        assert page.alternates["uz-UZ"] == f"{BASE}/uz{listing.get_absolute_url()}"
        assert page.meta["robots"] == "index,follow"
        assert page.meta["og:type"] == "product"

    def test_it_speaks_uzbek_under_uz(self, client, catalog):
        listing = car(catalog)
        listing_set_attributes(listing=listing, values={"mileage": "1000"})
        html = client.get(f"/uz{listing.get_absolute_url()}").content.decode()
        assert "Yurgani" in html and "1000 km" in html
        assert "Raqamni ko‘rsatish" in html

    @pytest.mark.parametrize("slug", ["wrong-slug", ""])
    def test_a_wrong_slug_redirects_permanently(self, client, catalog, slug):
        listing = car(catalog, title="Chevrolet Cobalt")
        response = client.get(f"/l/{listing.pk}-{slug}/")
        assert response.status_code == 301
        assert response["Location"] == f"/l/{listing.pk}-chevrolet-cobalt/"

    def test_a_missing_slug_redirects_permanently_in_uzbek_too(self, client, catalog):
        listing = car(catalog, title="Chevrolet Cobalt")
        response = client.get(f"/uz/l/{listing.pk}/")
        assert response.status_code == 301
        assert response["Location"] == f"/uz/l/{listing.pk}-chevrolet-cobalt/"

    @pytest.mark.parametrize(
        "status", [Listing.Status.DRAFT, Listing.Status.PENDING, Listing.Status.REJECTED, Listing.Status.DELETED]
    )
    def test_unpublished_listings_are_404(self, client, catalog, status):
        listing = car(catalog, status=status)
        assert client.get(listing.get_absolute_url()).status_code == 404

    def test_a_missing_listing_is_404(self, client, catalog):
        assert client.get("/l/987654-nothing/").status_code == 404

    @pytest.mark.parametrize("state", ["sold", "expired"])
    def test_sold_or_expired_says_so_with_similar_listings_and_noindex(self, client, catalog, state):
        if state == "sold":
            listing = car(catalog, status=Listing.Status.SOLD)
        else:
            listing = car(catalog, expires_at=timezone.now() - timedelta(hours=1))
        other = car(catalog, title="Another Cobalt")
        response = client.get(listing.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert ("продан" if state == "sold" else "истёк") in html
        assert "Another Cobalt" in html
        page = parse(html)
        assert page.meta["robots"] == "noindex,follow"
        assert page.json_ld_of_type("Product")[0]["offers"]["availability"] == "https://schema.org/SoldOut"
        assert "Показать телефон" not in html
        assert other.get_absolute_url() in html

    def test_views_are_counted(self, client, catalog):
        listing = car(catalog)
        client.get(listing.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        client.get(listing.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        listing.refresh_from_db()
        assert listing.views_count == 2

    @pytest.mark.parametrize(
        "agent",
        [
            "",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "TelegramBot (like TwitterBot)",
        ],
        ids=["no-agent", "googlebot", "link-preview"],
    )
    def test_crawlers_and_link_previews_are_not_views(self, client, catalog, agent):
        listing = car(catalog)
        for _ in range(2):  # a miss, then the cached page
            assert client.get(listing.get_absolute_url(), HTTP_USER_AGENT=agent).status_code == 200
        listing.refresh_from_db()
        assert listing.views_count == 0


class TestPhoneReveal:
    def test_it_only_accepts_post(self, client, catalog):
        listing = car(catalog)
        assert client.get(f"/l/{listing.pk}/phone/").status_code == 405

    def test_without_js_it_redirects_back_and_the_page_shows_the_number(self, client, catalog):
        listing = car(catalog)
        response = client.post(f"/l/{listing.pk}/phone/")
        assert response.status_code == 302
        assert response["Location"] == f"{listing.get_absolute_url()}#phone"
        html = client.get(listing.get_absolute_url()).content.decode()
        assert 'href="tel:+998901234567"' in html
        assert "+998 90 123 45 67" in html
        listing.refresh_from_db()
        assert listing.phone_reveals_count == 1

    def test_with_htmx_it_swaps_in_the_number(self, client, catalog):
        listing = car(catalog)
        response = client.post(f"/l/{listing.pk}/phone/", HTTP_HX_TARGET="phone", **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="phone"')
        assert "+998 90 123 45 67" in html
        assert "<html" not in html
        listing.refresh_from_db()
        assert listing.phone_reveals_count == 1

    def test_the_same_visitor_is_counted_once_and_others_again(self, client, catalog, django_user_model):
        from django.test import Client

        listing = car(catalog)
        client.post(f"/l/{listing.pk}/phone/")
        client.post(f"/l/{listing.pk}/phone/")
        Client().post(f"/l/{listing.pk}/phone/")
        listing.refresh_from_db()
        assert listing.phone_reveals_count == 2

    def test_it_needs_the_csrf_token(self, catalog):
        from django.test import Client

        listing = car(catalog)
        response = Client(enforce_csrf_checks=True).post(f"/l/{listing.pk}/phone/")
        assert response.status_code == 403
        listing.refresh_from_db()
        assert listing.phone_reveals_count == 0

    def test_a_sold_listing_does_not_reveal(self, client, catalog):
        listing = car(catalog, status=Listing.Status.SOLD)
        assert client.post(f"/l/{listing.pk}/phone/").status_code == 404

    def test_in_uzbek_it_returns_to_the_uzbek_page(self, client, catalog):
        listing = car(catalog)
        response = client.post(f"/uz/l/{listing.pk}/phone/")
        assert response["Location"] == f"/uz/l/{listing.pk}-{listing.slug}/#phone"
