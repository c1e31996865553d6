"""The sandbox provider: a checkout page of our own where you choose success or failure.

Its "server" calls our webhook like a real provider would: a JSON body signed
with HMAC-SHA256 over ``<timestamp>.<body>`` (headers ``X-Sandbox-Timestamp``
and ``X-Sandbox-Signature``), refused when more than 5 minutes off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from classifieds.orders.models import Order

from .. import services
from ..models import Payment
from .base import Provider

NAME = "sandbox"
TOLERANCE_SECONDS = 5 * 60
EVENTS = ("payment.succeeded", "payment.failed", "payment.refunded")


def signature(timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(settings.SANDBOX_PAYMENTS_SECRET.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """What the sandbox sends with a notification (tests send the same)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Sandbox-Timestamp": stamp, "X-Sandbox-Signature": signature(stamp, body)}


class SandboxProvider(Provider):
    name = NAME
    label = _("Test payment (sandbox)")

    @classmethod
    def available(cls) -> bool:
        # Its checkout page lets the seller choose "success": never a way to get promotions free in production.
        return bool(settings.DEBUG)

    def checkout_url(self, *, order: Order, return_url: str) -> str:
        return reverse("payments:sandbox_checkout", kwargs={"pk": order.pk})

    def webhook(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return JsonResponse({"error": "POST only"}, status=405)
        status, answer = self.deliver(
            request.body,
            timestamp=request.headers.get("X-Sandbox-Timestamp", ""),
            sig=request.headers.get("X-Sandbox-Signature", ""),
        )
        return JsonResponse(answer, status=status)

    def deliver(self, body: bytes, *, timestamp: str, sig: str) -> tuple[int, dict]:
        """Handle one signed notification; returns (HTTP status, answer)."""
        try:
            stamp = int(timestamp)
        except ValueError:
            return 401, {"error": "bad signature"}
        if abs(time.time() - stamp) > TOLERANCE_SECONDS or not hmac.compare_digest(signature(timestamp, body), sig):
            return 401, {"error": "bad signature"}
        try:
            event = json.loads(body)
            kind, txn_id, amount = event["event"], str(event["transaction_id"]), int(event["amount"])
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "malformed"}
        if kind not in EVENTS:
            return 400, {"error": "unknown event"}
        return _handle(event.get("order_id"), kind, txn_id, amount, event)


@transaction.atomic
def _handle(order_id, kind: str, txn_id: str, amount: int, event: dict) -> tuple[int, dict]:
    order = services.order_lock(order_id)
    if order is None or order.provider != NAME:
        return 404, {"error": "order not found"}
    if amount != order.amount:
        return 400, {"error": "wrong amount"}
    payment = services.payment_lock(provider=NAME, txn_id=txn_id)
    if payment is None:
        if kind == "payment.refunded":
            return 404, {"error": "transaction not found"}
        payment = services.payment_create(order=order, provider=NAME, txn_id=txn_id, amount=amount, payload=event)
    else:
        if payment.order_id != order.pk:
            return 400, {"error": "transaction belongs to another order"}
        services.payment_log(payment=payment, payload=event)
        if kind in payment.responses:  # a repeated delivery
            return 200, payment.responses[kind]
    payment.order = order
    if kind == "payment.succeeded":
        if payment.state == Payment.State.CREATED and order.state == Order.State.PENDING:
            services.payment_perform(payment=payment)
        elif payment.state == Payment.State.CREATED:
            services.payment_cancel(payment=payment)
    else:
        services.payment_cancel(payment=payment, reason=5 if kind == "payment.refunded" else None)
    order.refresh_from_db(fields=["state"])
    answer = {"order": order.pk, "state": order.state, "transaction": payment.provider_txn_id}
    services.payment_store_answer(payment=payment, key=kind, answer=answer)
    return 200, answer
