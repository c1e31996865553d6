"""The sandbox provider end to end: its checkout page, its signed webhook, the return page."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.tests.factories import make_order
from classifieds.payments.models import Payment
from classifieds.payments.providers.sandbox import signed_headers
from classifieds.promotions.models import Promotion

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/sandbox/webhook/"


@pytest.fixture
def order():
    return make_order(listing=ListingFactory(), provider="sandbox", code="top-7")


def deliver(client, body: dict, *, timestamp: int | None = None, signature: str | None = None):
    raw = json.dumps(body).encode()
    headers = signed_headers(raw, timestamp=timestamp)
    if signature is not None:
        headers["X-Sandbox-Signature"] = signature
    return client.post(WEBHOOK, raw, content_type="application/json", headers=headers)


def succeeded(order, txn="sbx_1", **extra) -> dict:
    return {"event": "payment.succeeded", "transaction_id": txn, "order_id": order.pk, "amount": order.amount, **extra}


class TestCheckoutPage:
    def test_paying_successfully_activates_the_promotion_and_lands_on_the_paid_page(self, client, order):
        client.force_login(order.user)
        page = client.get(reverse("payments:sandbox_checkout", kwargs={"pk": order.pk}))
        assert page.status_code == 200
        response = client.post(reverse("payments:sandbox_checkout", kwargs={"pk": order.pk}), {"outcome": "success"})
        assert response["Location"] == f"/payments/callback/?order={order.pk}"
        order.refresh_from_db()
        assert order.state == Order.State.PAID
        promotion = Promotion.objects.get(listing=order.listing)
        assert promotion.type == "top" and promotion.state == Promotion.State.ACTIVE
        assert (promotion.ends_at - promotion.starts_at).days == 7
        landing = client.get(response["Location"])
        assert landing.context["order"].state == "paid"
        topics = set(Event.objects.values_list("topic", flat=True))
        assert {"order.created", "payment.created", "payment.performed", "order.paid", "promotion.activated"} <= topics

    def test_failing_the_payment_activates_nothing(self, client, order):
        client.force_login(order.user)
        client.post(reverse("payments:sandbox_checkout", kwargs={"pk": order.pk}), {"outcome": "failure"})
        order.refresh_from_db()
        assert order.state == Order.State.FAILED
        assert not Promotion.objects.exists()
        page = client.get(f"/payments/callback/?order={order.pk}")
        assert "did not go through" in page.content.decode() or page.context["order"].state == "failed"

    def test_nobody_else_sees_the_checkout_or_the_result(self, client, order):
        client.force_login(UserFactory())
        assert client.get(reverse("payments:sandbox_checkout", kwargs={"pk": order.pk})).status_code == 404
        assert client.get(f"/payments/callback/?order={order.pk}").status_code == 404
        assert client.get("/payments/callback/?order=nope").status_code == 404

    def test_the_sandbox_is_gone_when_it_is_switched_off(self, client, order, settings):
        settings.PAYMENT_PROVIDERS = ["payme"]
        client.force_login(order.user)
        assert client.get(reverse("payments:sandbox_checkout", kwargs={"pk": order.pk})).status_code == 404
        assert deliver(client, succeeded(order)).status_code == 404


class TestWebhook:
    def test_a_signed_success_pays_the_order(self, client, order):
        response = deliver(client, succeeded(order))
        assert response.status_code == 200
        assert response.json()["state"] == "paid"
        assert Payment.objects.get().payload[0]["transaction_id"] == "sbx_1"

    def test_a_wrong_signature_is_refused(self, client, order):
        assert deliver(client, succeeded(order), signature="0" * 64).status_code == 401
        assert Order.objects.get().state == Order.State.PENDING

    def test_a_delivery_older_than_five_minutes_is_refused(self, client, order):
        assert deliver(client, succeeded(order), timestamp=int(time.time()) - 301).status_code == 401
        assert not Payment.objects.exists()

    def test_a_wrong_amount_is_refused(self, client, order):
        response = deliver(client, succeeded(order, amount=order.amount - 100))
        assert response.status_code == 400
        assert Order.objects.get().state == Order.State.PENDING

    def test_an_unknown_order_is_404(self, client, order):
        assert deliver(client, succeeded(order, order_id=order.pk + 1000)).status_code == 404

    def test_a_repeated_delivery_gets_the_same_answer_and_activates_once(self, client, order):
        answers = [deliver(client, succeeded(order)).json() for _ in range(3)]
        assert answers[0] == answers[1] == answers[2]
        assert Promotion.objects.count() == 1
        assert Event.objects.filter(topic="promotion.activated").count() == 1

    def test_a_refund_ends_the_promotion(self, client, order):
        deliver(client, succeeded(order))
        response = deliver(client, {**succeeded(order), "event": "payment.refunded"})
        assert response.json()["state"] == "refunded"
        promotion = Promotion.objects.get()
        assert promotion.state == Promotion.State.CANCELLED
        assert Payment.objects.get().state == Payment.State.REFUNDED
