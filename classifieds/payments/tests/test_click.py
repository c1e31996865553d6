"""Click SHOP API, driven the way Click's server drives it: form POSTs for Prepare and Complete."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from classifieds.audit.models import Event
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.services import order_cancel
from classifieds.orders.tests.factories import make_order
from classifieds.payments.models import Payment
from classifieds.promotions.models import Promotion

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/click/webhook/"
SECRET = "test-click-secret"


class Click:
    """Click's side: the documented fields, signed with md5 over them in the documented order."""

    def __init__(self, client) -> None:
        self.client = client

    def send(self, fields: dict, *, secret: str = SECRET) -> dict:
        parts = [fields["click_trans_id"], fields["service_id"], secret, fields["merchant_trans_id"]]
        if fields["action"] == "1":
            parts.append(fields["merchant_prepare_id"])
        parts += [fields["amount"], fields["action"], fields["sign_time"]]
        signed = {**fields, "sign_string": hashlib.md5("".join(parts).encode()).hexdigest()}  # noqa: S324
        response = self.client.post(WEBHOOK, signed)
        assert response.status_code == 200
        return response.json()

    def fields(self, order, action: str, *, txn="2281337", amount=None, error="0", **extra) -> dict:
        return {
            "click_trans_id": txn,
            "service_id": "1234",
            "click_paydoc_id": "9001",
            "merchant_trans_id": str(order.pk),
            "amount": amount or f"{order.amount / 100:.2f}",
            "action": action,
            "error": error,
            "error_note": "Success" if error == "0" else "Failed",
            "sign_time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            **extra,
        }

    def prepare(self, order, **kwargs) -> dict:
        return self.send(self.fields(order, "0", **kwargs))

    def complete(self, order, prepare_id, **kwargs) -> dict:
        return self.send(self.fields(order, "1", merchant_prepare_id=str(prepare_id), **kwargs))


@pytest.fixture
def order():
    return make_order(listing=ListingFactory(), provider="click", code="top-30")


@pytest.fixture
def api(client):
    return Click(client)


class TestHappyPath:
    def test_prepare_then_complete_pays_the_order_and_activates_the_promotion(self, api, order):
        prepared = api.prepare(order)
        assert prepared["error"] == 0 and prepared["merchant_prepare_id"]
        assert prepared["click_trans_id"] == "2281337" and prepared["merchant_trans_id"] == str(order.pk)
        completed = api.complete(order, prepared["merchant_prepare_id"])
        assert completed["error"] == 0 and completed["merchant_confirm_id"]
        assert Order.objects.get().state == Order.State.PAID
        promotion = Promotion.objects.get()
        assert promotion.type == "top" and (promotion.ends_at - promotion.starts_at).days == 30
        assert [p["action"] for p in Payment.objects.get().payload] == ["0", "1"]

    def test_amounts_are_read_in_sum_with_or_without_decimals(self, api, order):
        prepared = api.prepare(order, amount=str(order.amount // 100))
        assert prepared["error"] == 0


class TestRefusals:
    def test_a_wrong_signature_is_minus_1(self, api, order):
        assert api.send(api.fields(order, "0"), secret="guess")["error"] == -1
        assert not Payment.objects.exists()

    def test_a_wrong_amount_is_minus_2(self, api, order):
        assert api.prepare(order, amount="1000.00")["error"] == -2
        prepared = api.prepare(order)
        assert api.complete(order, prepared["merchant_prepare_id"], amount="1000.00")["error"] == -2
        assert Order.objects.get().state == Order.State.PENDING

    def test_an_unknown_action_is_minus_3(self, api, order):
        assert api.send(api.fields(order, "7"))["error"] == -3

    def test_an_unknown_order_is_minus_5(self, api, order):
        fields = api.fields(order, "0")
        fields["merchant_trans_id"] = "999999"
        assert api.send(fields)["error"] == -5

    def test_an_unknown_transaction_is_minus_6(self, api, order):
        assert api.complete(order, 424242)["error"] == -6

    def test_a_paid_order_is_minus_4(self, api, order):
        prepared = api.prepare(order)
        api.complete(order, prepared["merchant_prepare_id"])
        assert api.prepare(order, txn="999")["error"] == -4

    def test_missing_fields_are_minus_8(self, api, order):
        response = api.client.post(WEBHOOK, {"action": "0"})
        assert response.json()["error"] == -8


class TestStateMachine:
    def test_a_repeated_complete_returns_the_stored_answer_and_activates_once(self, api, order):
        prepared = api.prepare(order)
        assert api.prepare(order) == prepared  # a repeated Prepare too
        answers = [api.complete(order, prepared["merchant_prepare_id"]) for _ in range(3)]
        assert answers[0] == answers[1] == answers[2]
        assert answers[0]["error"] == 0
        assert Promotion.objects.count() == 1

    def test_a_failed_payment_reported_in_complete_cancels_minus_9(self, api, order):
        prepared = api.prepare(order)
        answer = api.complete(order, prepared["merchant_prepare_id"], error="-5017")
        assert answer["error"] == -9
        assert Order.objects.get().state == Order.State.FAILED
        assert Payment.objects.get().state == Payment.State.CANCELLED
        assert not Promotion.objects.exists()

    def test_complete_after_the_order_was_cancelled_is_minus_9(self, api, order):
        prepared = api.prepare(order)
        order_cancel(order=order, reason="seller changed their mind")
        assert api.complete(order, prepared["merchant_prepare_id"])["error"] == -9
        assert not Promotion.objects.exists()

    def test_complete_after_the_timeout_is_cancelled(self, api, order):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            prepared = api.prepare(order)
            clock.shift(timedelta(hours=12, minutes=1))
            assert api.complete(order, prepared["merchant_prepare_id"])["error"] == -9
        assert not Promotion.objects.exists()

    def test_a_staff_refund_after_payment_ends_the_promotion(self, api, order):
        prepared = api.prepare(order)
        api.complete(order, prepared["merchant_prepare_id"])
        order_cancel(order=Order.objects.get(), reason="staff refund")
        assert Order.objects.get().state == Order.State.REFUNDED
        assert Promotion.objects.get().state == Promotion.State.CANCELLED


class TestASecondPrepareForTheSameOrder:
    """The buyer abandons Click's page and pays again: Click sends a new Prepare with a new click_trans_id."""

    def test_click_retrying_the_same_prepare_gets_the_same_answer_and_closes_nothing(self, api, order):
        first = api.prepare(order, txn="1001")
        assert [api.prepare(order, txn="1001") for _ in range(2)] == [first, first]
        payment = Payment.objects.get()
        assert payment.state == Payment.State.CREATED
        assert [p["action"] for p in payment.payload] == ["0", "0", "0"]
        assert api.complete(order, first["merchant_prepare_id"], txn="1001")["error"] == 0
        assert Order.objects.get().state == Order.State.PAID

    def test_a_new_prepare_closes_the_older_one_and_only_the_newer_can_complete(self, api, order):
        older = api.prepare(order, txn="1001")
        newer = api.prepare(order, txn="1002")
        assert newer["error"] == 0 and newer["merchant_prepare_id"] != older["merchant_prepare_id"]
        states = dict(Payment.objects.values_list("provider_txn_id", "state"))
        assert states == {"1001": Payment.State.CANCELLED, "1002": Payment.State.CREATED}
        assert Order.objects.get().state == Order.State.PENDING  # still waiting, for the newer attempt
        # The older one never "stays created for ever": its retry and its Complete are refused (-9).
        assert api.prepare(order, txn="1001")["error"] == -9
        assert api.complete(order, older["merchant_prepare_id"], txn="1001")["error"] == -9
        assert api.complete(order, newer["merchant_prepare_id"], txn="1002")["error"] == 0
        assert Order.objects.get().state == Order.State.PAID
        assert Promotion.objects.count() == 1
        superseded = Event.objects.get(topic="payment.cancelled")
        assert superseded.payload["superseded_by"] == "1002"

    def test_a_new_prepare_after_the_order_was_paid_is_minus_4_and_closes_nothing(self, api, order):
        first = api.prepare(order, txn="1001")
        api.complete(order, first["merchant_prepare_id"], txn="1001")
        assert api.prepare(order, txn="1002")["error"] == -4
        assert Payment.objects.get().state == Payment.State.PERFORMED
