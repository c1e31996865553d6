"""What a paid promotion does to placement, and that it ends exactly on time (controlled clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.services import order_cancel
from classifieds.orders.tests.factories import make_order
from classifieds.payments.models import Payment
from classifieds.payments.services import payment_create, payment_perform
from classifieds.promotions.models import Promotion
from classifieds.promotions.services import promotion_expire_due
from classifieds.promotions.tasks import expire_promotions_task
from classifieds.taxonomy.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def buy(listing, code: str):
    """Pay an order the way a provider's webhook does (lock, record, perform)."""
    order = make_order(listing=listing, code=code)
    payment = payment_create(order=order, provider="sandbox", txn_id=f"t{order.pk}", amount=order.amount, payload={})
    payment_perform(payment=payment)
    return order


def srp_ids(client, category) -> tuple[list[int], list[int]]:
    response = client.get(f"/c/{category.slug}/")
    assert response.status_code == 200
    return [lst.pk for lst in response.context["pinned"]], [lst.pk for lst in response.context["page"].object_list]


@pytest.fixture
def category():
    return CategoryFactory()


class TestBump:
    def test_a_bump_refreshes_the_listing_once_and_puts_it_first_by_date(self, client, category):
        old = ListingFactory(category=category, refreshed_at=timezone.now() - timedelta(days=5))
        ListingFactory(category=category, refreshed_at=timezone.now() - timedelta(days=1))
        buy(old, "bump-0")
        old.refresh_from_db()
        assert timezone.now() - old.refreshed_at < timedelta(seconds=5)
        assert Promotion.objects.get().state == Promotion.State.ENDED  # once per purchase
        assert srp_ids(client, category)[1][0] == old.pk


class TestTop:
    def test_a_top_listing_is_pinned_with_its_label_and_not_repeated_below(self, client, category):
        organic = ListingFactory(category=category)
        top = ListingFactory(category=category, refreshed_at=timezone.now() - timedelta(days=3))
        buy(top, "top-7")
        pinned, listed = srp_ids(client, category)
        assert pinned == [top.pk]
        assert top.pk not in listed and organic.pk in listed
        body = client.get(f"/c/{category.slug}/").content.decode()
        assert "badge-top" in body

    def test_a_top_listing_is_pinned_in_its_parent_category_too(self, client, category):
        child = CategoryFactory(parent=category)
        top = ListingFactory(category=child)
        buy(top, "top-7")
        assert srp_ids(client, category)[0] == [top.pk]

    def test_a_top_in_another_category_is_not_pinned_here(self, client, category):
        buy(ListingFactory(category=CategoryFactory()), "top-7")
        ListingFactory(category=category)
        assert srp_ids(client, category)[0] == []

    def test_a_parent_page_shows_at_most_its_slots_rotating_fairly_every_hour(self, client, category, settings):
        TOP_SLOTS = settings.PROMOTION_TOP_SLOTS = 3
        # Each leaf sells at most its slots; their parent shows its subtree's TOPs in turns.
        leaves = [CategoryFactory(parent=category) for _ in range(2)]
        tops = [ListingFactory(category=leaves[i % 2]) for i in range(TOP_SLOTS + 3)]
        for listing in tops:
            buy(listing, "top-7")
        seen: set[int] = set()
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for _ in range(24):
                pinned, listed = srp_ids(client, category)
                assert len(pinned) == TOP_SLOTS
                assert not set(pinned) & set(listed)
                seen |= set(pinned)
                clock.shift(timedelta(hours=1))
        assert seen == {listing.pk for listing in tops}

    def test_an_expired_top_is_never_pinned_even_before_the_expiry_task_runs(self, client, category):
        top = ListingFactory(category=category)
        with time_machine.travel(timezone.now(), tick=False) as clock:
            buy(top, "top-7")
            clock.shift(timedelta(days=7) - timedelta(seconds=1))
            assert srp_ids(client, category)[0] == [top.pk]
            clock.shift(timedelta(seconds=1))
            assert srp_ids(client, category)[0] == []
            assert Promotion.objects.get().state == Promotion.State.ACTIVE  # the task has not run yet

    def test_the_expiry_task_ends_promotions_exactly_at_ends_at(self, category):
        top = ListingFactory(category=category)
        with time_machine.travel(timezone.now(), tick=False) as clock:
            buy(top, "top-7")
            ends_at = Promotion.objects.get().ends_at
            clock.move_to(ends_at - timedelta(seconds=1))
            assert promotion_expire_due() == 0
            clock.move_to(ends_at)
            assert expire_promotions_task.call_local() == 1
        promotion = Promotion.objects.get()
        assert promotion.state == Promotion.State.ENDED and promotion.ended_at == ends_at
        assert Event.objects.about(promotion).filter(topic="promotion.expired").exists()
        assert Event.objects.filter(topic="search.reindex", subject_id=str(top.pk)).exists()

    def test_a_second_top_queues_behind_the_running_one(self, category):
        top = ListingFactory(category=category)
        with time_machine.travel(timezone.now(), tick=False):
            buy(top, "top-7")
            buy(top, "top-30")
        first, second = Promotion.objects.order_by("starts_at")
        assert second.starts_at == first.ends_at
        assert second.ends_at - second.starts_at == timedelta(days=30)

    def test_a_refund_unpins_the_listing(self, client, category):
        top = ListingFactory(category=category)
        order = buy(top, "top-7")
        order_cancel(order=order, reason="staff refund")
        assert srp_ids(client, category)[0] == []
        assert Payment.objects.get().state == Payment.State.PERFORMED  # the provider still has to refund

    def test_a_listing_no_longer_active_is_not_pinned(self, client, category):
        top = ListingFactory(category=category)
        buy(top, "top-7")
        Listing.objects.filter(pk=top.pk).update(status=Listing.Status.SOLD)
        ListingFactory(category=category)
        assert srp_ids(client, category)[0] == []


class TestSpotlight:
    def test_a_spotlight_listing_is_in_the_home_carousel_for_7_days(self, client):
        listing = ListingFactory()
        with time_machine.travel(timezone.now(), tick=False) as clock:
            buy(listing, "spotlight-7")
            response = client.get("/")
            assert [lst.pk for lst in response.context["spotlight"]] == [listing.pk]
            assert "spotlight-heading" in response.content.decode()
            clock.shift(timedelta(days=7))
            assert client.get("/").context["spotlight"] == []

    def test_a_spotlight_listing_heads_its_category_page_but_not_others(self, client, category):
        listing = ListingFactory(category=category)
        other = CategoryFactory()
        ListingFactory(category=other)
        buy(listing, "spotlight-7")
        assert [lst.pk for lst in client.get(f"/c/{category.slug}/").context["spotlight"]] == [listing.pk]
        assert client.get(f"/c/{other.slug}/").context["spotlight"] == []


class TestTopOnEveryPageOfItsCategory:
    def test_a_top_is_pinned_on_its_categorys_filtered_and_text_pages_while_it_matches(self, client, category):
        top = ListingFactory(category=category, title="Chevrolet Cobalt 2019", price=90_000_000)
        ListingFactory(category=category, title="Chevrolet Cobalt 2020", price=80_000_000)
        buy(top, "top-7")
        for query in ("?q=cobalt", "?price_max=100000000", "?q=cobalt&sort=price_asc&price_min=1000"):
            response = client.get(f"/c/{category.slug}/{query}")
            assert [lst.pk for lst in response.context["pinned"]] == [top.pk], query
        # A page whose filters exclude it does not show it (a pinned car is never one the buyer filtered out).
        assert client.get(f"/c/{category.slug}/?price_max=85000000").context["pinned"] == []

    def test_a_top_is_pinned_for_its_whole_window_among_the_full_slots(self, client, category, settings):
        settings.PROMOTION_TOP_SLOTS = 3
        tops = [ListingFactory(category=category) for _ in range(3)]
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for listing in tops:
                buy(listing, "top-7")
            for _ in range(7 * 24 // 6):  # every six hours of the week
                assert sorted(srp_ids(client, category)[0]) == sorted(lst.pk for lst in tops)
                clock.shift(timedelta(hours=6))
