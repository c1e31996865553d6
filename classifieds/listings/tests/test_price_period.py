"""Prices say what they are per (rent per month or day, a salary per month), where the category's schema says so."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings import services
from classifieds.listings.models import Listing
from classifieds.taxonomy.models import PricePeriod
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

from .factories import ListingFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def realty():
    root = CategoryFactory(name="Недвижимость", slug="nedvizhimost")
    return {
        "root": root,
        "rent": CategoryFactory(parent=root, name="Аренда квартир", slug="arenda", price_periods=["month"]),
        "daily": CategoryFactory(parent=root, name="Посуточно", slug="posutochno", price_periods=["day"]),
        "houses": CategoryFactory(parent=root, name="Аренда домов", slug="doma", price_periods=["month", "day"]),
        "sale": CategoryFactory(parent=root, name="Продажа квартир", slug="prodazha"),
        "tashkent": LocationFactory(name="Ташкент", slug="tashkent"),
    }


def details(realty, **overrides) -> dict:
    data = {
        "title": "2-комнатная у метро",
        "description": "Светлая квартира, мебель и техника, можно с детьми.",
        "price_type": "amount",
        "price": "5000000",
        "currency": "UZS",
        "region": str(realty["tashkent"].pk),
        "contact_phone": "90 111 22 33",
        "action": "save",
    }
    data.update(overrides)
    return data


class TestPosting:
    def test_a_draft_starts_with_its_categorys_default_period(self, realty):
        seller = UserFactory()
        assert services.listing_create_draft(owner=seller, category=realty["rent"]).price_period == "month"
        assert services.listing_create_draft(owner=seller, category=realty["sale"]).price_period == "once"

    def test_a_single_period_is_fixed_and_said_next_to_the_price(self, client, realty):
        seller = UserFactory()
        client.force_login(seller)
        draft = services.listing_create_draft(owner=seller, category=realty["rent"])
        html = client.get(f"/post/details/?draft={draft.pk}").content.decode()
        assert re.search(r'<input type="hidden" name="price_period" value="month"', html)
        assert "в месяц" in html

    def test_the_seller_chooses_among_several_periods(self, client, realty):
        seller = UserFactory()
        client.force_login(seller)
        draft = services.listing_create_draft(owner=seller, category=realty["houses"])
        html = client.get(f"/post/details/?draft={draft.pk}").content.decode()
        assert '<select name="price_period"' in html and "в сутки" in html
        client.post(f"/post/details/?draft={draft.pk}", details(realty, price_period="day"))
        draft.refresh_from_db()
        assert draft.price_period == PricePeriod.DAY

    def test_a_period_the_category_does_not_offer_is_refused(self, client, realty):
        seller = UserFactory()
        client.force_login(seller)
        draft = services.listing_create_draft(owner=seller, category=realty["rent"])
        client.post(f"/post/details/?draft={draft.pk}", details(realty, price_period="hour"))
        draft.refresh_from_db()
        assert draft.price_period == PricePeriod.MONTH
        sale = services.listing_create_draft(owner=seller, category=realty["sale"])
        client.post(f"/post/details/?draft={sale.pk}", details(realty, price_period="month"))
        sale.refresh_from_db()
        assert sale.price_period == PricePeriod.ONCE

    def test_moving_a_draft_to_another_category_takes_that_categorys_default(self, realty):
        seller = UserFactory()
        draft = services.listing_create_draft(owner=seller, category=realty["daily"])
        services.listing_change_category(listing=draft, category=realty["sale"], actor=seller)
        draft.refresh_from_db()
        assert draft.price_period == PricePeriod.ONCE


class TestWhereBuyersSeeIt:
    def rent(self, realty, **kwargs):
        return ListingFactory(
            category=realty["rent"],
            title="Квартира на Чиланзаре",
            price=Decimal("5000000"),
            currency="UZS",
            price_period="month",
            **kwargs,
        )

    def test_the_detail_page_and_its_json_ld_say_per_month(self, client, realty):
        listing = self.rent(realty)
        html = client.get(listing.get_absolute_url()).content.decode()
        assert f"5{NBSP}000{NBSP}000{NBSP}сум/мес." in html
        blocks = [
            json.loads(b) for b in re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
        ]
        offer = next(b for b in blocks if b.get("@type") == "Product")["offers"]
        assert offer["price"] == "5000000"  # machine numbers stay machine numbers
        assert offer["priceSpecification"] == {
            "@type": "UnitPriceSpecification",
            "price": "5000000",
            "priceCurrency": "UZS",
            "unitCode": "MON",
            "referenceQuantity": {"@type": "QuantitativeValue", "value": 1, "unitCode": "MON"},
        }

    def test_a_one_off_price_has_no_unit_price(self, client, realty):
        listing = ListingFactory(category=realty["sale"], price=Decimal("80000"), currency="USD")
        html = client.get(listing.get_absolute_url()).content.decode()
        assert f"80{NBSP}000{NBSP}$" in html and "priceSpecification" not in html and "/мес." not in html

    def test_the_card_on_the_results_page_says_per_month_in_both_languages(self, client, realty):
        self.rent(realty)
        # A narrow card may break before the period (<wbr>), never inside the amount.
        assert f"5{NBSP}000{NBSP}000{NBSP}сум<wbr>/мес." in client.get("/c/arenda/").content.decode()
        assert f"5{NBSP}000{NBSP}000{NBSP}so‘m<wbr>/oy" in client.get("/uz/c/arenda/").content.decode()

    def test_the_price_filter_of_a_rent_category_says_per_month(self, client, realty):
        assert "<legend>Цена в месяц</legend>" in client.get("/c/arenda/").content.decode()
        assert "<legend>Kunlik narx</legend>" in client.get("/uz/c/posutochno/").content.decode()
        assert "<legend>Цена</legend>" in client.get("/c/prodazha/").content.decode()

    def test_a_card_needs_no_extra_query_for_its_period(self, realty, django_assert_max_num_queries):
        listing = self.rent(realty)
        with django_assert_max_num_queries(2):
            card = Listing.objects.cards_in_bulk([listing.pk])[listing.pk]
            assert card.price_period == "month"
