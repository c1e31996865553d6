"""Payme Merchant API, driven the way Payme's server drives it: JSON-RPC POSTs with Basic auth."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.tests.factories import make_order
from classifieds.payments.models import Payment
from classifieds.payments.providers import payme
from classifieds.promotions.models import Promotion

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/payme/webhook/"


def auth(key: str = "test-payme-key") -> str:
    return "Basic " + base64.b64encode(f"Paycom:{key}".encode()).decode()


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


class Payme:
    """Payme's side of the protocol."""

    def __init__(self, client) -> None:
        self.client = client
        self.next_id = 0

    def call(self, method: str, params: dict, *, key: str = "test-payme-key") -> dict:
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        response = self.client.post(
            WEBHOOK, body, content_type="application/json", headers={"Authorization": auth(key)}
        )
        assert response.status_code == 200
        data = response.json()
        assert data["id"] == self.next_id
        return data

    def check(self, order, amount=None):
        return self.call(
            "CheckPerformTransaction", {"amount": amount or order.amount, "account": {"order_id": str(order.pk)}}
        )

    def create(self, order, txn="63a1f0c2e2b0c1a5f0a1b2c3", amount=None, time=None):
        return self.call(
            "CreateTransaction",
            {
                "id": txn,
                "time": time or now_ms(),
                "amount": amount or order.amount,
                "account": {"order_id": str(order.pk)},
            },
        )

    def perform(self, txn="63a1f0c2e2b0c1a5f0a1b2c3"):
        return self.call("PerformTransaction", {"id": txn})

    def cancel(self, txn="63a1f0c2e2b0c1a5f0a1b2c3", reason=3):
        return self.call("CancelTransaction", {"id": txn, "reason": reason})

    def state(self, txn="63a1f0c2e2b0c1a5f0a1b2c3"):
        return self.call("CheckTransaction", {"id": txn})


@pytest.fixture
def order():
    return make_order(listing=ListingFactory(), provider="payme", code="top-7")


@pytest.fixture
def api(client):
    return Payme(client)


def error_code(data: dict) -> int:
    return data["error"]["code"]


class TestHappyPath:
    def test_check_create_perform_pays_the_order_and_activates_the_promotion(self, api, order):
        assert api.check(order)["result"] == {"allow": True}
        created = api.create(order)["result"]
        assert created["state"] == 1 and created["transaction"] and created["create_time"] > 0
        performed = api.perform()["result"]
        assert performed["state"] == 2 and performed["perform_time"] >= created["create_time"]
        assert Order.objects.get().state == Order.State.PAID
        assert Promotion.objects.get(listing=order.listing).state == Promotion.State.ACTIVE
        checked = api.state()["result"]
        assert checked == {
            "create_time": created["create_time"],
            "perform_time": performed["perform_time"],
            "cancel_time": 0,
            "transaction": created["transaction"],
            "state": 2,
            "reason": None,
        }

    def test_payments_keep_every_request_payme_sent(self, api, order):
        api.create(order)
        api.perform()
        methods = [entry["method"] for entry in Payment.objects.get().payload]
        assert methods == ["CreateTransaction", "PerformTransaction"]

    def test_get_statement_lists_transactions_by_payme_time(self, api, order):
        start = now_ms()
        api.create(order, time=start + 5)
        api.perform()
        statement = api.call("GetStatement", {"from": start, "to": start + 10})["result"]["transactions"]
        assert len(statement) == 1
        row = statement[0]
        assert row["id"] == "63a1f0c2e2b0c1a5f0a1b2c3" and row["state"] == 2 and row["amount"] == order.amount
        assert row["account"] == {"order_id": str(order.pk)}
        later = api.call("GetStatement", {"from": start + 11, "to": start + 20})["result"]["transactions"]
        assert later == []


class TestRefusals:
    def test_a_wrong_amount_is_31001(self, api, order):
        assert error_code(api.check(order, amount=order.amount + 100)) == -31001
        assert error_code(api.create(order, amount=order.amount - 100)) == -31001
        assert not Payment.objects.exists()

    def test_an_unknown_order_is_an_account_error_with_localized_messages(self, api, order):
        data = api.call("CheckPerformTransaction", {"amount": order.amount, "account": {"order_id": "999999"}})
        assert -31099 <= error_code(data) <= -31050
        message = data["error"]["message"]
        assert set(message) == {"ru", "uz", "en"}
        assert message["en"] == "Order not found."
        assert message["ru"] != message["en"] and message["uz"] != message["en"]
        assert data["error"]["data"] == "order_id"

    def test_wrong_credentials_are_32504(self, api, order):
        assert error_code(api.call("CheckPerformTransaction", {"amount": 1, "account": {}}, key="wrong")) == -32504
        response = api.client.post(
            WEBHOOK, {"id": 1, "method": "CheckTransaction", "params": {"id": "x"}}, content_type="application/json"
        )
        assert response.json()["error"]["code"] == -32504

    def test_an_unknown_transaction_is_31003(self, api, order):
        assert error_code(api.perform("nope")) == -31003
        assert error_code(api.cancel("nope")) == -31003
        assert error_code(api.state("nope")) == -31003

    def test_an_unknown_method_and_bad_json_are_refused(self, api, order):
        assert error_code(api.call("ChangeEverything", {})) == -32601
        response = api.client.post(
            WEBHOOK, b"{not json", content_type="application/json", headers={"Authorization": auth()}
        )
        assert response.json()["error"]["code"] == -32700

    def test_a_second_transaction_for_a_pending_order_is_refused(self, api, order):
        api.create(order, txn="a" * 24)
        data = api.create(order, txn="b" * 24)
        assert -31099 <= error_code(data) <= -31050

    def test_a_paid_order_cannot_be_paid_again(self, api, order):
        api.create(order)
        api.perform()
        assert -31099 <= error_code(api.check(order)) <= -31050


class TestStateMachine:
    def test_a_repeated_create_returns_the_same_transaction(self, api, order):
        first = api.create(order)["result"]
        assert api.create(order)["result"] == first
        assert Payment.objects.count() == 1

    def test_a_repeated_perform_returns_the_stored_answer_and_activates_once(self, api, order):
        api.create(order)
        answers = [api.perform()["result"] for _ in range(3)]
        assert answers[0] == answers[1] == answers[2]
        assert Promotion.objects.count() == 1

    def test_perform_after_cancel_is_31008(self, api, order):
        api.create(order)
        cancelled = api.cancel(reason=3)["result"]
        assert cancelled["state"] == -1 and cancelled["cancel_time"] > 0
        assert error_code(api.perform()) == -31008
        assert Order.objects.get().state == Order.State.FAILED
        assert not Promotion.objects.exists()
        assert api.state()["result"]["reason"] == 3

    def test_a_transaction_not_performed_within_12_hours_is_cancelled_by_timeout(self, api, order):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            api.create(order)
            clock.shift(timedelta(hours=12, minutes=1))
            assert error_code(api.perform()) == -31008
            state = api.state()["result"]
            assert state["state"] == -1 and state["reason"] == payme.CANCEL_REASON_TIMEOUT
            assert error_code(api.create(order)) == -31008
        assert not Promotion.objects.exists()

    def test_within_12_hours_perform_still_succeeds(self, api, order):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            api.create(order)
            clock.shift(timedelta(hours=11, minutes=59))
            assert api.perform()["result"]["state"] == 2

    def test_cancel_after_perform_refunds_and_ends_the_promotion(self, api, order):
        api.create(order)
        api.perform()
        result = api.cancel(reason=5)["result"]
        assert result["state"] == -2
        assert Order.objects.get().state == Order.State.REFUNDED
        promotion = Promotion.objects.get()
        assert promotion.state == Promotion.State.CANCELLED
        assert not Promotion.objects.live().exists()
        assert api.cancel(reason=5)["result"] == result  # repeated cancel: the same answer


def test_every_account_error_has_ru_uz_and_en_messages():
    for code in payme.MESSAGES:
        messages = payme.localized(code)
        assert all(messages[lang] for lang in ("ru", "uz", "en"))
    with override("uz"):
        assert payme.localized(payme.ORDER_NOT_FOUND)["ru"] != payme.localized(payme.ORDER_NOT_FOUND)["en"]


def test_a_transaction_id_reused_for_another_order_is_refused(client):
    api = Payme(client)
    first = make_order(listing=ListingFactory(), provider="payme")
    second = make_order(listing=ListingFactory(), provider="payme")
    api.create(first, txn="same-id")
    assert error_code(api.create(second, txn="same-id")) == -31008
    assert Payment.objects.get().order_id == first.pk
