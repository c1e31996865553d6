"""TOP inventory: no more TOPs sold in a category for a period than it has pinned places."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.services import OrderError, order_create
from classifieds.orders.tests.factories import make_order
from classifieds.payments.services import payment_create, payment_perform
from classifieds.promotions.inventory import first_free_start
from classifieds.promotions.models import Promotion
from classifieds.taxonomy.tests.factories import CategoryFactory

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def pay(order: Order) -> Order:
    payment = payment_create(order=order, provider="sandbox", txn_id=f"t{order.pk}", amount=order.amount, payload={})
    payment_perform(payment=payment)
    return order


def buy(listing, code: str = "top-7") -> Order:
    return pay(make_order(listing=listing, code=code))


class TestFirstFreeStart:
    def test_an_empty_category_starts_at_once(self):
        assert first_free_start([], earliest=T0, length=7 * DAY, slots=1) == T0

    def test_a_full_category_starts_when_the_first_window_ends(self):
        windows = [(T0, T0 + 3 * DAY), (T0, T0 + 5 * DAY)]
        assert first_free_start(windows, earliest=T0, length=7 * DAY, slots=2) == T0 + 3 * DAY

    def test_a_gap_too_short_for_the_whole_window_is_skipped(self):
        # One place, free from day 1 to day 2 only: a 7-day TOP must wait until day 4.
        windows = [(T0, T0 + DAY), (T0 + 2 * DAY, T0 + 4 * DAY)]
        assert first_free_start(windows, earliest=T0, length=7 * DAY, slots=1) == T0 + 4 * DAY
        assert first_free_start(windows, earliest=T0, length=DAY, slots=1) == T0 + DAY


@pytest.mark.django_db
class TestTopInventory:
    @pytest.fixture(autouse=True)
    def three_places(self, settings):
        settings.PROMOTION_TOP_SLOTS = 3

    def test_a_top_beyond_the_places_is_refused_saying_when_one_frees(self):
        category = CategoryFactory()
        with time_machine.travel(T0, tick=False):
            for days in ("top-7", "top-7", "top-30"):
                buy(ListingFactory(category=category), days)
            late = ListingFactory(category=category)
            with pytest.raises(OrderError, match="ближайшее освободится"):
                make_order(listing=late, code="top-7")
        assert not Order.objects.filter(listing=late).exists()
        assert Promotion.objects.filter(listing__category=category).count() == 3

    def test_another_category_and_other_promotions_are_not_limited(self):
        category = CategoryFactory()
        for _ in range(3):
            buy(ListingFactory(category=category))
        buy(ListingFactory(category=CategoryFactory()))  # its own places
        buy(ListingFactory(category=category), "spotlight-7")
        buy(ListingFactory(category=category), "bump-0")
        assert Promotion.objects.count() == 6

    def test_a_place_frees_when_a_top_ends(self):
        category = CategoryFactory()
        with time_machine.travel(T0, tick=False) as clock:
            for _ in range(3):
                buy(ListingFactory(category=category))
            clock.shift(7 * DAY)
            buy(ListingFactory(category=category))
        assert Promotion.objects.filter(listing__category=category).count() == 4

    def test_a_second_top_of_a_listing_needs_a_place_only_from_when_it_queues(self, settings):
        settings.PROMOTION_TOP_SLOTS = 2
        category = CategoryFactory()
        with time_machine.travel(T0, tick=False):
            running, long = ListingFactory(category=category), ListingFactory(category=category)
            buy(running, "top-7")
            buy(long, "top-30")
            with pytest.raises(OrderError):  # both places are taken this week
                make_order(listing=ListingFactory(category=category), code="top-7")
            buy(running, "top-7")  # queues at day 7, when only one place is taken
        second = Promotion.objects.filter(listing=running).order_by("starts_at").last()
        assert (second.starts_at, second.ends_at) == (T0 + 7 * DAY, T0 + 14 * DAY)

    def test_an_unpaid_order_keeps_its_place_for_the_hold_only(self, settings):
        settings.PROMOTION_TOP_HOLD_MINUTES = 30
        category = CategoryFactory()
        with time_machine.travel(T0, tick=False) as clock:
            for _ in range(3):
                make_order(listing=ListingFactory(category=category))  # not paid
            late = ListingFactory(category=category)
            with pytest.raises(OrderError):
                make_order(listing=late)
            clock.shift(timedelta(minutes=31))
            assert make_order(listing=late).state == Order.State.PENDING

    def test_a_top_paid_after_its_place_went_waits_for_the_next_one_whole(self, settings):
        settings.PROMOTION_TOP_HOLD_MINUTES = 30
        category = CategoryFactory()
        with time_machine.travel(T0, tick=False) as clock:
            slow = make_order(listing=ListingFactory(category=category))
            clock.shift(timedelta(hours=1))  # its hold ran out; three others bought meanwhile
            for _ in range(3):
                buy(ListingFactory(category=category))
            pay(slow)
        promotion = Promotion.objects.get(order_item__order=slow)
        assert promotion.starts_at == T0 + timedelta(hours=1) + 7 * DAY
        assert promotion.ends_at - promotion.starts_at == 7 * DAY

    def test_the_purchase_page_says_when_the_next_place_frees(self, client):
        category = CategoryFactory()
        with time_machine.travel(T0, tick=False):
            for _ in range(3):
                buy(ListingFactory(category=category))
            listing = ListingFactory(category=category)
            client.force_login(listing.owner)
            page = client.get(reverse("web:promote", kwargs={"pk": listing.pk}))
            quote = client.get(
                reverse("web:promote", kwargs={"pk": listing.pk}) + "?offer=top-7",
                headers={"HX-Request": "true", "HX-Target": "quote"},
            )
        assert page.status_code == 200
        cards = {card.code: card for card in page.context["cards"]}
        assert cards["top-7"].next_free == T0 + 7 * DAY
        assert cards["spotlight-7"].next_free is None
        assert "ближайшее освободится" in page.content.decode()
        assert "ближайшее освободится" in quote.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_buyers_of_the_last_place_at_once_get_one_order(settings):
    """Both pass the quote; the category lock makes the second see the first's order and be refused."""
    settings.PROMOTION_TOP_SLOTS = 1
    category = CategoryFactory()
    buyers = [ListingFactory(category=category) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def order(listing) -> None:
        try:
            barrier.wait()
            order_create(
                user=listing.owner, listing=listing, code="top-7", provider="sandbox", idempotency_key=uuid.uuid4().hex
            )
            outcomes.append("ordered")
        except OrderError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=order, args=(listing,)) for listing in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ordered", "refused"]
    assert Order.objects.count() == 1
