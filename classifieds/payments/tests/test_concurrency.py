"""Duplicate deliveries arriving at the same time: the order row lock lets exactly one activate."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from classifieds.audit.models import Event
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.tests.factories import make_order
from classifieds.payments.models import Payment
from classifieds.payments.providers.sandbox import signed_headers
from classifieds.promotions.models import Promotion

pytestmark = pytest.mark.django_db(transaction=True)

N = 6


def at_once(send: Callable[[Client], dict]) -> list[dict]:
    """Run ``send`` in N threads (each its own client and database connection), released together."""
    barrier = threading.Barrier(N)
    answers: list[dict] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            client = Client()
            barrier.wait()
            answers.append(send(client))
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(answers) == N
    return answers


def assert_activated_once(order: Order) -> None:
    order.refresh_from_db()
    assert order.state == Order.State.PAID
    assert Promotion.objects.filter(order_item__order=order).count() == 1
    assert Event.objects.filter(topic="promotion.activated").count() == 1
    assert Event.objects.filter(topic="order.paid").count() == 1


def test_payme_perform_delivered_n_times_at_once_activates_once():
    order = make_order(listing=ListingFactory(), provider="payme")
    auth = "Basic " + base64.b64encode(b"Paycom:test-payme-key").decode()

    def call(client: Client, method: str, params: dict) -> dict:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        return client.post(
            "/payments/payme/webhook/", body, content_type="application/json", headers={"Authorization": auth}
        ).json()

    created = at_once(
        lambda c: call(
            c,
            "CreateTransaction",
            {
                "id": "tx-1",
                "time": int(timezone.now().timestamp() * 1000),
                "amount": order.amount,
                "account": {"order_id": str(order.pk)},
            },
        )
    )
    assert len({json.dumps(a["result"], sort_keys=True) for a in created}) == 1
    performed = at_once(lambda c: call(c, "PerformTransaction", {"id": "tx-1"}))
    assert {a["result"]["state"] for a in performed} == {2}
    assert len({a["result"]["perform_time"] for a in performed}) == 1
    assert Payment.objects.count() == 1
    assert_activated_once(order)


def test_click_complete_delivered_n_times_at_once_activates_once():
    order = make_order(listing=ListingFactory(), provider="click")
    sign_time = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    amount = f"{order.amount / 100:.2f}"

    def post(client: Client, action: str, prepare_id: str = "") -> dict:
        parts = ["77", "1234", "test-click-secret", str(order.pk), prepare_id, amount, action, sign_time]
        fields = {
            "click_trans_id": "77",
            "service_id": "1234",
            "click_paydoc_id": "1",
            "merchant_trans_id": str(order.pk),
            "merchant_prepare_id": prepare_id,
            "amount": amount,
            "action": action,
            "error": "0",
            "error_note": "Success",
            "sign_time": sign_time,
            "sign_string": hashlib.md5("".join(parts).encode()).hexdigest(),  # noqa: S324
        }
        return client.post("/payments/click/webhook/", fields).json()

    prepared = at_once(lambda c: post(c, "0"))
    assert {a["error"] for a in prepared} == {0}
    prepare_id = str(prepared[0]["merchant_prepare_id"])
    completed = at_once(lambda c: post(c, "1", prepare_id))
    assert {a["error"] for a in completed} == {0}
    assert_activated_once(order)


def test_sandbox_success_delivered_n_times_at_once_activates_once():
    order = make_order(listing=ListingFactory(), provider="sandbox")
    body = json.dumps(
        {"event": "payment.succeeded", "transaction_id": "sbx-1", "order_id": order.pk, "amount": order.amount}
    ).encode()
    headers = signed_headers(body)
    answers = at_once(
        lambda c: c.post("/payments/sandbox/webhook/", body, content_type="application/json", headers=headers).json()
    )
    assert {a["state"] for a in answers} == {"paid"}
    assert_activated_once(order)
