from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order, OrderItem
from classifieds.promotions.models import PromotionPrice
from classifieds.taxonomy.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def url(listing) -> str:
    return reverse("web:promote", kwargs={"pk": listing.pk})


@pytest.fixture
def listing():
    return ListingFactory()


@pytest.fixture
def seller_client(client, listing):
    client.force_login(listing.owner)
    return client


class TestQuotePage:
    def test_it_sends_visitors_to_sign_in(self, client, listing):
        response = client.get(url(listing))
        assert response.status_code == 302
        assert reverse("accounts:otp") in response["Location"]

    def test_it_shows_the_owner_every_offer_with_its_price(self, seller_client, listing):
        response = seller_client.get(url(listing))
        assert response.status_code == 200
        body = response.content.decode()
        for code in ("bump-0", "top-7", "top-30", "spotlight-7"):
            assert f'value="{code}"' in body
        assert "49" in body and "149" in body
        assert 'name="idempotency_key"' in body

    def test_it_quotes_the_offer_named_in_the_address(self, seller_client, listing):
        response = seller_client.get(url(listing) + "?offer=top-30")
        assert response.context["quote"].code == "top-30"

    def test_it_is_404_for_someone_elses_listing(self, client, listing):
        client.force_login(UserFactory())
        assert client.get(url(listing)).status_code == 404

    def test_it_is_404_for_a_listing_buyers_cannot_see(self, seller_client, listing):
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)
        assert seller_client.get(url(listing)).status_code == 404
        Listing.objects.filter(pk=listing.pk).update(
            status=Listing.Status.ACTIVE, expires_at=timezone.now() - timedelta(minutes=1)
        )
        assert seller_client.get(url(listing)).status_code == 404

    def test_a_category_price_overrides_the_default_for_its_subtree(self):
        parent = CategoryFactory()
        child = CategoryFactory(parent=parent)
        PromotionPrice.objects.create(category=parent, type="top", days=7, price=77_000)
        offers = {offer.code: offer.price for offer in PromotionPrice.objects.for_category(child)}
        assert offers["top-7"] == 77_000
        assert offers["top-30"] == 149_000


class TestOrdering:
    def post(self, client, listing, **data):
        return client.post(url(listing), {"offer": "top-7", "provider": "sandbox", "idempotency_key": "k1", **data})

    def test_it_creates_an_order_in_tiyin_and_sends_the_seller_to_checkout(self, seller_client, listing):
        response = self.post(seller_client, listing)
        order = Order.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("payments:sandbox_checkout", kwargs={"pk": order.pk})
        assert order.amount == 49_000 * 100
        assert order.state == Order.State.PENDING
        item = OrderItem.objects.get(order=order)
        assert (item.type, item.days, item.unit_price, item.qty) == ("top", 7, 4_900_000, 1)
        assert Event.objects.about(order).filter(topic="order.created").exists()

    def test_a_double_click_creates_one_order(self, seller_client, listing):
        first = self.post(seller_client, listing)
        second = self.post(seller_client, listing)
        assert Order.objects.count() == 1
        assert first["Location"] == second["Location"]

    def test_it_refuses_an_offer_not_on_sale(self, seller_client, listing):
        PromotionPrice.objects.filter(type="spotlight").update(active=False)
        response = self.post(seller_client, listing, offer="spotlight-7")
        assert response.status_code == 200
        assert "offer" in response.context["form"].errors
        assert not Order.objects.exists()

    def test_it_refuses_a_provider_that_is_off(self, seller_client, listing, settings):
        settings.PAYMENT_PROVIDERS = ["sandbox"]
        response = self.post(seller_client, listing, provider="payme")
        assert response.status_code == 200
        assert not Order.objects.exists()

    def test_payme_checkout_is_the_documented_base64_address(self, seller_client, listing):
        import base64

        response = self.post(seller_client, listing, provider="payme")
        order = Order.objects.get()
        prefix = "https://checkout.paycom.uz/"
        assert response["Location"].startswith(prefix)
        decoded = base64.b64decode(response["Location"][len(prefix) :]).decode()
        assert decoded.startswith(f"m=5e730e8e0b852a417aa49ceb;ac.order_id={order.pk};a=4900000;c=http")
        assert f"/payments/callback/?order={order.pk}" in decoded

    def test_click_checkout_is_the_documented_address(self, seller_client, listing):
        response = self.post(seller_client, listing, provider="click")
        order = Order.objects.get()
        location = response["Location"]
        assert location.startswith("https://my.click.uz/services/pay?service_id=1234&merchant_id=5678&amount=49000.00")
        assert f"transaction_param={order.pk}" in location
        assert "return_url=http" in location


class TestQuoteFragment:
    def test_htmx_gets_only_the_quote_of_the_chosen_offer(self, seller_client, listing):
        response = seller_client.get(
            url(listing) + "?offer=top-30", headers={"HX-Request": "true", "HX-Target": "quote"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert body.strip().startswith('<p id="quote"')
        assert "149" in body and "<form" not in body
        assert "HX-Request" in response["Vary"]

    def test_without_htmx_the_same_address_is_the_whole_page(self, seller_client, listing):
        body = seller_client.get(url(listing) + "?offer=top-30").content.decode()
        assert "<form" in body and 'id="quote"' in body


def test_the_seller_dashboard_links_an_active_listing_to_its_promotion_page(client, listing):
    client.force_login(listing.owner)
    body = client.get(reverse("web:seller_listings")).content.decode()
    assert f'href="{url(listing)}"' in body


class TestWithoutAPaymentProvider:
    """Production with no PSP keys: the sandbox is not offered, so nothing can be bought (never free)."""

    @pytest.fixture(autouse=True)
    def _production_without_keys(self, settings):
        settings.DEBUG = False
        settings.PAYMENT_PROVIDERS = ["sandbox"]  # even named, the sandbox needs DEBUG
        settings.PAYME_MERCHANT_ID = settings.PAYME_KEY = ""
        settings.CLICK_SERVICE_ID = settings.CLICK_MERCHANT_ID = settings.CLICK_SECRET_KEY = ""

    def test_the_page_says_promotions_are_unavailable_and_has_no_form(self, seller_client, listing):
        response = seller_client.get(url(listing))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Продвижение сейчас недоступно" in body
        assert "promote-form" not in body and 'name="offer"' not in body and 'name="provider"' not in body

    def test_the_page_says_it_in_uzbek_too(self, seller_client, listing):
        body = seller_client.get("/uz" + url(listing)).content.decode()
        assert "Reklama hozircha mavjud emas" in body
        assert "promote-form" not in body

    def test_a_post_is_refused_with_a_message_and_creates_no_order(self, seller_client, listing):
        data = {"offer": "top-7", "provider": "sandbox", "idempotency_key": "k1"}
        response = seller_client.post(url(listing), data, follow=True)
        assert response.redirect_chain == [(url(listing), 302)]
        assert "Продвижение сейчас недоступно" in " ".join(str(m) for m in response.context["messages"])
        assert not Order.objects.exists()
