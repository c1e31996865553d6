"""Click SHOP API: Click's server POSTs a form twice, Prepare (action 0) then Complete (action 1).

``sign_string`` is md5(click_trans_id + service_id + SECRET_KEY +
merchant_trans_id [+ merchant_prepare_id on Complete] + amount + action +
sign_time), over the fields exactly as sent. Amounts are in sum. We answer
JSON with ``error`` 0 or one of the documented negative codes. The buyer is
sent to ``https://my.click.uz/services/pay?service_id=…&merchant_id=…&amount=…&transaction_param=…&return_url=…``.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from classifieds.orders.models import Order

from .. import services
from ..models import Payment
from .base import Provider

NAME = "click"
PREPARE, COMPLETE = "0", "1"

SUCCESS = 0
SIGN_FAILED = -1
WRONG_AMOUNT = -2
ACTION_NOT_FOUND = -3
ALREADY_PAID = -4
ORDER_NOT_FOUND = -5
TRANSACTION_NOT_FOUND = -6
BAD_REQUEST = -8
CANCELLED = -9

NOTES = {
    SUCCESS: "Success",
    SIGN_FAILED: "SIGN CHECK FAILED!",
    WRONG_AMOUNT: "Incorrect parameter amount",
    ACTION_NOT_FOUND: "Action not found",
    ALREADY_PAID: "Already paid",
    ORDER_NOT_FOUND: "User does not exist",
    TRANSACTION_NOT_FOUND: "Transaction does not exist",
    BAD_REQUEST: "Error in request from click",
    CANCELLED: "Transaction cancelled",
}
FIELDS = ("click_trans_id", "service_id", "merchant_trans_id", "amount", "action", "sign_time", "sign_string")


def sign(fields: dict[str, str], secret: str) -> str:
    """The documented ``sign_string`` over the raw fields."""
    parts = [fields["click_trans_id"], fields["service_id"], secret, fields["merchant_trans_id"]]
    if fields["action"] == COMPLETE:
        parts.append(fields["merchant_prepare_id"])
    parts += [fields["amount"], fields["action"], fields["sign_time"]]
    return hashlib.md5("".join(parts).encode()).hexdigest()  # noqa: S324  (Click's documented algorithm)


class ClickProvider(Provider):
    name = NAME
    label = "Click"  # a brand: the same in every language

    @classmethod
    def available(cls) -> bool:
        # The checkout link needs the merchant id; the webhook, the service id and the secret.
        return bool(settings.CLICK_SERVICE_ID and settings.CLICK_MERCHANT_ID and settings.CLICK_SECRET_KEY)

    def checkout_url(self, *, order: Order, return_url: str) -> str:
        query = urlencode(
            {
                "service_id": settings.CLICK_SERVICE_ID,
                "merchant_id": settings.CLICK_MERCHANT_ID,
                "amount": f"{Decimal(order.amount) / 100:.2f}",
                "transaction_param": order.pk,
                "return_url": return_url,
            }
        )
        return f"{settings.CLICK_CHECKOUT_URL}?{query}"

    def webhook(self, request: HttpRequest) -> HttpResponse:
        fields = {key: request.POST.get(key, "") for key in (*FIELDS, "merchant_prepare_id", "error", "error_note")}
        answer = {
            "click_trans_id": fields["click_trans_id"],
            "merchant_trans_id": fields["merchant_trans_id"],
        }
        if request.method != "POST" or not all(fields[key] for key in FIELDS):
            return _reply(answer, BAD_REQUEST)
        if fields["action"] not in (PREPARE, COMPLETE):
            return _reply(answer, ACTION_NOT_FOUND)
        if fields["action"] == COMPLETE and not fields["merchant_prepare_id"]:
            return _reply(answer, BAD_REQUEST)
        secret = settings.CLICK_SECRET_KEY
        if not secret or not hmac.compare_digest(sign(fields, secret), fields["sign_string"].lower()):
            return _reply(answer, SIGN_FAILED)
        if fields["service_id"] != str(settings.CLICK_SERVICE_ID):
            return _reply(answer, BAD_REQUEST)
        try:
            amount = int(Decimal(fields["amount"]) * 100)
        except InvalidOperation:
            return _reply(answer, WRONG_AMOUNT)
        payload = dict(request.POST.items())
        handler = _prepare if fields["action"] == PREPARE else _complete
        return JsonResponse(handler(fields, amount, answer, payload))


def _reply(answer: dict, code: int) -> JsonResponse:
    return JsonResponse(_answer(answer, code))


def _answer(answer: dict, code: int, **extra) -> dict:
    return {**answer, **extra, "error": code, "error_note": NOTES[code]}


@transaction.atomic
def _prepare(fields: dict, amount: int, answer: dict, payload: dict) -> dict:
    order = services.order_lock(fields["merchant_trans_id"])
    if order is None or order.provider != NAME:
        return _answer(answer, ORDER_NOT_FOUND)
    payment = services.payment_lock(provider=NAME, txn_id=fields["click_trans_id"])
    if payment is not None:
        # Click retrying the same Prepare (same click_trans_id): the same answer, nothing created or closed,
        # unless that transaction was closed since (superseded, cancelled): then its Complete would fail too.
        services.payment_log(payment=payment, payload=payload)
        if payment.order_id != order.pk or "prepare" not in payment.responses:
            return _answer(answer, BAD_REQUEST)
        if payment.state in (Payment.State.CANCELLED, Payment.State.REFUNDED):
            return _answer(answer, CANCELLED)
        return payment.responses["prepare"]
    if order.state == Order.State.PAID:
        return _answer(answer, ALREADY_PAID)
    if order.state != Order.State.PENDING:
        return _answer(answer, CANCELLED)
    if amount != order.amount:
        return _answer(answer, WRONG_AMOUNT)
    payment = services.payment_create(
        order=order, provider=NAME, txn_id=fields["click_trans_id"], amount=amount, payload=payload
    )
    # A new click_trans_id for an order still waiting is the buyer paying again (the first attempt was
    # abandoned, or another tab). Click has no "order busy" code, and refusing would lock the buyer out
    # for 12 hours, so the newest attempt wins: the older ones are closed now, and if one of them still
    # sends Complete it gets -9, which makes Click return that money. At most one can ever be performed.
    older = order.payments.select_for_update().filter(provider=NAME, state=Payment.State.CREATED).exclude(pk=payment.pk)
    for stale in older:
        stale.order = order
        services.payment_cancel(payment=stale, superseded_by=payment.provider_txn_id)
    reply = _answer(answer, SUCCESS, merchant_prepare_id=payment.pk)
    services.payment_store_answer(payment=payment, key="prepare", answer=reply)
    return reply


@transaction.atomic
def _complete(fields: dict, amount: int, answer: dict, payload: dict) -> dict:
    order = services.order_lock(fields["merchant_trans_id"])
    if order is None or order.provider != NAME:
        return _answer(answer, ORDER_NOT_FOUND)
    payment = services.payment_lock(provider=NAME, txn_id=fields["click_trans_id"])
    if payment is None or payment.order_id != order.pk or str(payment.pk) != fields["merchant_prepare_id"]:
        return _answer(answer, TRANSACTION_NOT_FOUND)
    payment.order = order
    services.payment_log(payment=payment, payload=payload)
    if "complete" in payment.responses:  # a repeated delivery: the same answer, nothing done twice
        return payment.responses["complete"]
    if amount != payment.amount:
        return _answer(answer, WRONG_AMOUNT)
    confirm = {"merchant_confirm_id": payment.pk}
    if payment.state != Payment.State.CREATED:
        reply = _answer(answer, CANCELLED, **confirm)
    elif _click_error(fields["error"]) < 0 or services.payment_timed_out(payment):
        # Click reports the payment failed (or it came too late): cancel our side.
        services.payment_cancel(payment=payment, reason=_click_error(fields["error"]) or None)
        reply = _answer(answer, CANCELLED, **confirm)
    elif order.state == Order.State.PAID:
        return _answer(answer, ALREADY_PAID)
    elif order.state != Order.State.PENDING:
        services.payment_cancel(payment=payment)
        reply = _answer(answer, CANCELLED, **confirm)
    else:
        services.payment_perform(payment=payment)
        reply = _answer(answer, SUCCESS, **confirm)
    services.payment_store_answer(payment=payment, key="complete", answer=reply)
    return reply


def _click_error(value: str) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
