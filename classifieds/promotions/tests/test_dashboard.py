"""The seller's dashboard shows what each listing has bought: TOP, spotlight, last bump, until when."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.services import order_cancel
from classifieds.orders.tests.factories import make_order
from classifieds.payments.services import payment_create, payment_perform

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("web:seller_listings")


def buy(listing, code: str):
    """Pay an order the way a provider's webhook does (record, perform)."""
    order = make_order(listing=listing, code=code)
    payment = payment_create(order=order, provider="sandbox", txn_id=f"t{order.pk}", amount=order.amount, payload={})
    payment_perform(payment=payment)
    return order


def item(body: str, listing) -> str:
    """The dashboard row of ``listing``."""
    start = body.index(f'id="listing-{listing.pk}"')
    end = body.find('<li class="seller-listing"', start + 1)
    return body[start : end if end != -1 else len(body)]


@pytest.fixture
def clock():
    """A fixed moment (10:00 in Tashkent), so the dates the page prints are known."""
    with time_machine.travel(datetime(2026, 6, 5, 10, 0, tzinfo=timezone.get_default_timezone()), tick=False) as c:
        yield c


class TestPromotionsOnTheDashboard:
    def test_each_listing_says_which_promotions_run_and_until_when_in_russian(self, client, clock):
        top = ListingFactory()
        seller = top.owner
        spotlit = ListingFactory(owner=seller)
        plain = ListingFactory(owner=seller)
        buy(top, "top-7")
        buy(spotlit, "spotlight-7")
        buy(spotlit, "bump-0")
        client.force_login(seller)
        body = client.get(DASHBOARD).content.decode()
        assert "ТОП до 12 июня 2026 г. 10:00" in item(body, top)
        assert "Витрина до 12 июня 2026 г. 10:00" in item(body, spotlit)
        assert "Последнее поднятие: Сегодня 10:00" in item(body, spotlit)
        assert "seller-promotions" not in item(body, plain)
        for listing in (top, spotlit, plain):
            assert f'href="{reverse("web:promote", kwargs={"pk": listing.pk})}"' in item(body, listing)

    def test_it_says_it_in_uzbek_too(self, client, clock):
        listing = ListingFactory()
        buy(listing, "top-30")
        client.force_login(listing.owner)
        body = client.get("/uz" + DASHBOARD).content.decode()
        assert "TOP 5-iyul, 2026-yil 10:00 gacha" in item(body, listing)

    def test_a_second_purchase_extends_the_date_and_a_refund_or_the_end_removes_it(self, client, clock):
        listing = ListingFactory()
        buy(listing, "top-7")
        second = buy(listing, "top-7")  # queues behind the first: TOP until 14 days from now
        client.force_login(listing.owner)
        assert "ТОП до 19 июня 2026 г. 10:00" in item(client.get(DASHBOARD).content.decode(), listing)
        order_cancel(order=second, reason="refund")
        assert "ТОП до 12 июня 2026 г. 10:00" in item(client.get(DASHBOARD).content.decode(), listing)
        clock.shift(timedelta(days=7, minutes=1))
        listing.refresh_from_db()
        body = client.get(DASHBOARD + "?tab=" + ("active" if listing.is_visible else "expired")).content.decode()
        assert "ТОП до" not in body

    def test_the_page_costs_the_same_queries_for_one_promoted_listing_or_many(self, client, clock):
        first = ListingFactory()
        buy(first, "top-7")
        client.force_login(first.owner)
        client.get(DASHBOARD)  # warm the session and caches
        with CaptureQueriesContext(connection) as one:
            assert client.get(DASHBOARD).status_code == 200
        for _ in range(5):
            listing = ListingFactory(owner=first.owner)
            buy(listing, "top-7")
            buy(listing, "spotlight-7")
            buy(listing, "bump-0")
        with CaptureQueriesContext(connection) as six:
            body = client.get(DASHBOARD).content.decode()
        assert body.count('class="seller-promotion seller-promotion-top"') == 6
        assert len(six) == len(one), [q["sql"] for q in six.captured_queries]
        promotion_queries = [q["sql"] for q in six.captured_queries if "promotions_promotion" in q["sql"]]
        assert len(promotion_queries) == 1
