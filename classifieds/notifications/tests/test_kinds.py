"""Each kind's trigger: the services of listings, favorites, orders and promotions call notify()."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.favorites.services import favorite_toggle
from classifieds.listings import services as listing_services
from classifieds.listings.models import Listing
from classifieds.listings.notices import extend_token, listings_warn_expiring
from classifieds.listings.tests.factories import ListingFactory
from classifieds.notifications.models import Notification
from classifieds.notifications.rendering import render_notice
from classifieds.notifications.services import recipient_set_language
from classifieds.orders.models import Order
from classifieds.orders.services import order_mark_paid
from classifieds.orders.tests.factories import make_order
from classifieds.payments.tests.conftest import default_promotion_prices, payment_providers_on  # noqa: F401
from classifieds.promotions.services import promotion_expire_due

pytestmark = [pytest.mark.django_db]


def notices(kind: str, user=None):
    queryset = Notification.objects.filter(kind=kind)
    return list(queryset.filter(user=user) if user is not None else queryset)


class TestListingExpiring:
    def test_a_listing_expiring_within_3_days_is_warned_once_with_an_extend_link(self, client):
        now = timezone.now()
        soon = ListingFactory(expires_at=now + timedelta(days=2, hours=20))
        ListingFactory(expires_at=now + timedelta(days=10))  # not yet
        ListingFactory(expires_at=now + timedelta(days=1), status=Listing.Status.SOLD)  # not published
        assert listings_warn_expiring(now=now) == 1
        assert listings_warn_expiring(now=now + timedelta(hours=1)) == 0  # the hourly sweep again: nothing
        (notice,) = notices("listing.expiring", soon.owner)
        assert notice.context["days"] == 3
        extend_url = render_notice(notice).url
        assert extend_url.startswith("/l/extend/")
        page = client.get(extend_url)  # GET only asks
        assert page.status_code == 200
        assert soon.title in page.content.decode()
        soon.refresh_from_db()
        assert soon.expires_at < now + timedelta(days=3)
        response = client.post(extend_url)  # one click, no sign-in: the signed link is the credential
        assert response.status_code == 200
        soon.refresh_from_db()
        assert soon.expires_at > now + timedelta(days=25)
        # A new lifetime is warned again when it nears its end.
        assert listings_warn_expiring(now=soon.expires_at - timedelta(days=2)) == 1

    def test_the_extend_link_is_in_the_owners_language(self):
        now = timezone.now()
        listing = ListingFactory(expires_at=now + timedelta(days=2))
        recipient_set_language(user=listing.owner, language="uz")
        listings_warn_expiring(now=now)
        (notice,) = notices("listing.expiring", listing.owner)
        assert notice.context["url"].startswith("/uz/l/extend/")

    def test_a_tampered_or_foreign_extend_link_is_400(self, client):
        listing = ListingFactory(expires_at=timezone.now() + timedelta(days=2))
        token = extend_token(listing)
        assert client.post(reverse("listings:extend", args=[token + "x"])).status_code == 400
        Listing.objects.filter(pk=listing.pk).update(owner=UserFactory())  # sold on to another account
        assert client.post(reverse("listings:extend", args=[token])).status_code == 400

    def test_an_expired_listing_cannot_be_extended_from_the_link(self, client):
        listing = ListingFactory(expires_at=timezone.now() + timedelta(days=2))
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)
        response = client.post(reverse("listings:extend", args=[extend_token(listing)]))
        assert response.status_code == 409


class TestListingExpired:
    def test_the_expiry_sweep_tells_the_seller_once(self):
        listing = ListingFactory(expires_at=timezone.now() - timedelta(minutes=1))
        listing_services.listings_expire_due()
        listing_services.listings_expire_due()
        (notice,) = notices("listing.expired", listing.owner)
        assert notice.context["title"] == listing.title
        assert render_notice(notice).url == "/u/listings/?tab=expired"


class TestPriceDrop:
    def test_people_who_keep_the_listing_hear_of_a_lower_price(self, django_capture_on_commit_callbacks):
        listing = ListingFactory(price=Decimal("125000000"))
        fan, other_fan, bystander = UserFactory(), UserFactory(), UserFactory()
        favorite_toggle(user=fan, listing=listing)
        favorite_toggle(user=other_fan, listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            listing_services.listing_edit(
                listing=listing, fields={"price": Decimal("99000000")}, attributes={}, actor=listing.owner
            )
        told = {notice.user_id for notice in notices("favorite.price_drop")}
        assert told == {fan.pk, other_fan.pk}
        notice = notices("favorite.price_drop", fan)[0]
        assert notice.context["old_price"] == "125\u00a0000\u00a0000\u00a0сум"
        assert notice.context["new_price"] == "99\u00a0000\u00a0000\u00a0сум"
        assert not notices("favorite.price_drop", bystander)

    def test_a_higher_price_or_another_edit_tells_nobody(self, django_capture_on_commit_callbacks):
        listing = ListingFactory(price=Decimal("125000000"))
        favorite_toggle(user=UserFactory(), listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            listing_services.listing_edit(
                listing=listing, fields={"price": Decimal("130000000")}, attributes={}, actor=listing.owner
            )
            listing_services.listing_edit(
                listing=listing, fields={"title": "New title"}, attributes={}, actor=listing.owner
            )
        assert not notices("favorite.price_drop")

    def test_two_drops_in_a_day_are_one_notice(self, django_capture_on_commit_callbacks):
        listing = ListingFactory(price=Decimal("125000000"))
        fan = UserFactory()
        favorite_toggle(user=fan, listing=listing)
        with django_capture_on_commit_callbacks(execute=True):
            for price in ("120000000", "110000000"):
                listing_services.listing_edit(
                    listing=listing, fields={"price": Decimal(price)}, attributes={}, actor=listing.owner
                )
        assert len(notices("favorite.price_drop", fan)) == 1


class TestPaymentAndPromotion:
    def test_a_paid_order_tells_payment_received_and_promotion_started(self):
        listing = ListingFactory()
        order = make_order(listing=listing, code="top-7")
        order = Order.objects.select_for_update().get(pk=order.pk)
        order_mark_paid(order=order, provider="sandbox", txn_id="t-1")
        order_mark_paid(order=order, provider="sandbox", txn_id="t-1")  # the webhook again: nothing more
        (paid,) = notices("payment.received", listing.owner)
        assert paid.context["amount"].endswith("сум")
        (started,) = notices("promotion.started", listing.owner)
        assert started.context["title"] == listing.title
        assert render_notice(started).url == listing.get_absolute_url()

    def test_the_end_of_a_promotion_is_told_with_a_link_to_promote_again(self):
        listing = ListingFactory()
        order = make_order(listing=listing, code="top-7")
        order_mark_paid(order=Order.objects.get(pk=order.pk), provider="sandbox", txn_id="t-2")
        assert promotion_expire_due(now=timezone.now() + timedelta(days=8)) == 1
        (ended,) = notices("promotion.ended", listing.owner)
        assert render_notice(ended).url == reverse("web:promote", kwargs={"pk": listing.pk})
