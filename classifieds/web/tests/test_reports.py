"""Staff reports: the numbers against fixtures, the CSV export, and only staff see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.analytics.models import DailyCount, EventKind
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order, OrderItem
from classifieds.promotions.models import PromotionType
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

pytestmark = [pytest.mark.django_db]

S = Listing.Status


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def csv_rows(client, slug: str, days: int = 30) -> list[list[str]]:
    response = client.get(f"/admin/reports/{slug}/", {"days": days, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def market():
    transport = CategoryFactory(name_ru="Транспорт", name_uz="Transport", slug_ru="transport", slug_uz="transport")
    cars = CategoryFactory(parent=transport, name_ru="Легковые", name_uz="Yengil", slug_ru="cars", slug_uz="yengil")
    phones = CategoryFactory(name_ru="Телефоны", name_uz="Telefonlar", slug_ru="phones", slug_uz="telefonlar")
    tashkent = LocationFactory(name_ru="Ташкент", name_uz="Toshkent", slug="tashkent", kind="city")
    district = LocationFactory(parent=tashkent, name_ru="Юнусабад", name_uz="Yunusobod", slug="yunusabad")
    samarkand = LocationFactory(name_ru="Самарканд", name_uz="Samarqand", slug="samarkand", kind="region")
    anvar, dilnoza, old_hand = UserFactory(), UserFactory(), UserFactory()
    ListingFactory(owner=old_hand, category=phones, location=samarkand, created_at=ago(100))  # before the period
    ListingFactory(owner=old_hand, category=phones, location=samarkand, created_at=ago(2))
    ListingFactory(owner=anvar, category=cars, location=district, created_at=ago(2))
    ListingFactory(owner=anvar, category=cars, location=tashkent, created_at=ago(2), status=S.PENDING)
    ListingFactory(owner=dilnoza, category=cars, location=tashkent, created_at=ago(1), status=S.REJECTED)
    ListingFactory(owner=dilnoza, category=phones, location=tashkent, created_at=ago(1), status=S.DRAFT)
    return {"anvar": anvar, "dilnoza": dilnoza, "old_hand": old_hand}


def day(days: int) -> str:
    return timezone.localdate(ago(days)).isoformat()


class TestReports:
    def test_new_listings_per_day_by_top_category_and_region(self, client, staff, market):
        rows = csv_rows(client, "new-listings")
        assert rows[0] == ["День", "Категория", "Область", "Новые объявления"]
        assert sorted(rows[1:]) == sorted(
            [
                [day(2), "Транспорт", "Ташкент", "2"],  # a district counts for its city
                [day(2), "Телефоны", "Самарканд", "1"],
                [day(1), "Транспорт", "Ташкент", "1"],  # the draft is not a new listing yet
            ]
        )

    def test_active_sellers(self, client, staff, market):
        rows = {row[0]: row[1:] for row in csv_rows(client, "active-sellers")[1:]}
        assert len(rows) == 30
        assert rows[day(2)] == ["2", "1"]  # anvar (first time) and the old hand
        assert rows[day(1)] == ["1", "1"]  # dilnoza, first time
        html = client.get("/admin/reports/active-sellers/").content.decode()
        assert "Продавцы с активными объявлениями сейчас" in html

    def test_moderation_load(self, client, staff, market):
        rows = {row[0]: row[1:] for row in csv_rows(client, "moderation-load")[1:]}
        assert rows == {day(2): ["3", "1", "0"], day(1): ["1", "0", "1"]}

    def test_promotion_revenue_counts_paid_orders_only(self, client, staff, market):
        listing = Listing.objects.filter(status=S.ACTIVE).first()
        buyer = market["anvar"]

        def order(state, items, paid_days_ago=1, key="k"):
            paid = Order.objects.create(
                user=buyer,
                listing=listing,
                idempotency_key=key,
                provider="sandbox",
                amount=sum(p * q for _t, p, q in items),
                state=state,
                paid_at=ago(paid_days_ago) if state == Order.State.PAID else None,
            )
            for type_, price, qty in items:
                OrderItem.objects.create(order=paid, type=type_, days=7, unit_price=price, qty=qty)

        order(Order.State.PAID, [("top", 2_000_000, 1), ("bump", 500_000, 2)], key="a")
        order(Order.State.PAID, [("top", 2_000_000, 1)], key="b")
        order(Order.State.PENDING, [("top", 9_900_000, 1)], key="c")
        order(Order.State.PAID, [("spotlight", 7_000_000, 1)], paid_days_ago=60, key="d")  # outside 30 days
        rows = csv_rows(client, "promotion-revenue")
        assert sorted(rows[1:]) == sorted(
            [
                [day(1), str(PromotionType.BUMP.label), "1", "10000"],
                [day(1), str(PromotionType.TOP.label), "2", "40000"],
            ]
        )
        assert [day(60), str(PromotionType.SPOTLIGHT.label), "1", "70000"] in csv_rows(
            client, "promotion-revenue", days=90
        )

    def test_searches_without_results_most_first(self, client, staff):
        today = timezone.localdate()
        for term, n, age in [("iphone 17", 3, 0), ("iphone 17", 2, 5), ("дамас", 4, 1), ("old", 9, 40)]:
            DailyCount.objects.create(
                day=today - timedelta(days=age), kind=EventKind.SEARCH_NO_RESULTS, subject=term, count=n
            )
        assert csv_rows(client, "search-misses")[1:] == [["iphone 17", "5"], ["дамас", "4"]]

    def test_pages_list_and_show_each_report(self, client, staff, market):
        index = client.get("/admin/reports/").content.decode()
        for slug in ("new-listings", "active-sellers", "promotion-revenue", "moderation-load", "search-misses"):
            assert f'href="/admin/reports/{slug}/"' in index
            assert client.get(f"/admin/reports/{slug}/", {"days": "7"}).status_code == 200
        assert 'href="/admin/reports/"' in client.get("/admin/").content.decode()

    def test_bad_input_is_never_a_500(self, client, staff):
        assert client.get("/admin/reports/new-listings/", {"days": "-5"}).status_code == 200
        assert client.get("/admin/reports/new-listings/", {"days": "x" * 50}).status_code == 200
        assert client.get("/admin/reports/no-such-report/").status_code == 404


class TestAccess:
    def test_a_seller_is_sent_to_the_admin_login(self, client):
        client.force_login(UserFactory())
        response = client.get("/admin/reports/new-listings/", {"format": "csv"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
