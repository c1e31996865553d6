"""Payme (Paycom) Merchant API: Payme's server calls us with JSON-RPC 2.0 over POST and Basic auth.

Methods: CheckPerformTransaction, CreateTransaction, PerformTransaction,
CancelTransaction, CheckTransaction, GetStatement. Amounts are in tiyin; times
in milliseconds. Transaction states: 1 created, 2 performed, -1 cancelled,
-2 cancelled after perform. A created transaction not performed within
12 hours is cancelled with reason 4. The buyer is sent to
``<checkout>/<base64("m=...;ac.order_id=...;a=...;c=...")>``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from classifieds.orders.models import Order

from .. import services
from ..models import Payment
from .base import Provider

logger = logging.getLogger(__name__)

NAME = "payme"
ACCOUNT_FIELD = "order_id"
CANCEL_REASON_TIMEOUT = 4

# Error codes as Payme documents them; messages are shown to the buyer in the Payme app (ru, uz, en).
WRONG_AMOUNT = -31001
TRANSACTION_NOT_FOUND = -31003
CANNOT_PERFORM = -31008
ORDER_NOT_FOUND = -31050
ORDER_NOT_PAYABLE = -31051
ORDER_BUSY = -31052
AUTH_FAILED = -32504
METHOD_NOT_FOUND = -32601
INVALID_REQUEST = -32600
PARSE_ERROR = -32700
NOT_POST = -32300
SYSTEM_ERROR = -32400

MESSAGES = {
    WRONG_AMOUNT: _("Wrong amount."),
    TRANSACTION_NOT_FOUND: _("Transaction not found."),
    CANNOT_PERFORM: _("This operation cannot be performed."),
    ORDER_NOT_FOUND: _("Order not found."),
    ORDER_NOT_PAYABLE: _("This order is already paid or closed."),
    ORDER_BUSY: _("This order is already being paid."),
    AUTH_FAILED: _("Not enough privileges to perform this method."),
    METHOD_NOT_FOUND: _("Method not found."),
    INVALID_REQUEST: _("Invalid request."),
    PARSE_ERROR: _("Invalid JSON."),
    NOT_POST: _("Only POST requests are accepted."),
    SYSTEM_ERROR: _("System error."),
}


class PaymeError(Exception):
    def __init__(self, code: int, data: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.data = data


def localized(code: int) -> dict[str, str]:
    """The message of ``code`` in the three languages Payme shows."""
    message = MESSAGES[code]
    out = {}
    for language in ("ru", "uz", "en"):
        with translation.override(language):
            out[language] = str(message)
    return out


def _error(request_id, code: int, data: str | None = None) -> JsonResponse:
    error = {"code": code, "message": localized(code)}
    if data is not None:
        error["data"] = data
    # Payme expects HTTP 200 with the error in the body.
    return JsonResponse({"jsonrpc": "2.0", "error": error, "id": request_id})


class PaymeProvider(Provider):
    name = NAME
    label = "Payme"  # a brand: the same in every language

    @classmethod
    def available(cls) -> bool:
        return bool(settings.PAYME_MERCHANT_ID and settings.PAYME_KEY)

    def checkout_url(self, *, order: Order, return_url: str) -> str:
        params = f"m={settings.PAYME_MERCHANT_ID};ac.{ACCOUNT_FIELD}={order.pk};a={order.amount};c={return_url}"
        encoded = base64.b64encode(params.encode()).decode()
        return f"{settings.PAYME_CHECKOUT_URL.rstrip('/')}/{encoded}"

    # --- the webhook -------------------------------------------------------------------
    def webhook(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return _error(None, NOT_POST)
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return _error(None, PARSE_ERROR)
        if not isinstance(body, dict):
            return _error(None, INVALID_REQUEST)
        request_id = body.get("id")
        if not self.authorized(request.headers.get("Authorization", "")):
            return _error(request_id, AUTH_FAILED)
        method = METHODS.get(body.get("method"))
        params = body.get("params")
        if method is None:
            return _error(request_id, METHOD_NOT_FOUND, str(body.get("method")))
        if not isinstance(params, dict):
            return _error(request_id, INVALID_REQUEST)
        try:
            result = method(params)
        except PaymeError as error:
            return _error(request_id, error.code, error.data)
        except (KeyError, TypeError, ValueError):
            return _error(request_id, INVALID_REQUEST)
        return JsonResponse({"jsonrpc": "2.0", "result": result, "id": request_id})

    @staticmethod
    def authorized(header: str) -> bool:
        """``Basic base64("Paycom:<key>")``, the key compared in constant time."""
        scheme, _sep, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not settings.PAYME_KEY:
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        login, _sep, key = decoded.partition(":")
        return hmac.compare_digest(key.encode(), settings.PAYME_KEY.encode()) and login == "Paycom"


# --- methods ------------------------------------------------------------------------------
def _amount(params: dict) -> int:
    amount = params["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount != int(amount):
        raise PaymeError(WRONG_AMOUNT, "amount")
    return int(amount)


def _payable_order(params: dict) -> Order:
    """The order named in ``account``, locked, checked to be payable for exactly ``amount``."""
    account = params.get("account") or {}
    order = services.order_lock(account.get(ACCOUNT_FIELD))
    if order is None:
        raise PaymeError(ORDER_NOT_FOUND, ACCOUNT_FIELD)
    if order.provider != NAME or order.state != Order.State.PENDING:
        raise PaymeError(ORDER_NOT_PAYABLE, ACCOUNT_FIELD)
    if _amount(params) != order.amount:
        raise PaymeError(WRONG_AMOUNT, "amount")
    return order


def _locked_payment(params: dict) -> Payment:
    """The transaction ``params["id"]`` with its order locked first (the lock order every path uses)."""
    txn_id = str(params["id"])
    found = Payment.objects.filter(provider=NAME, provider_txn_id=txn_id).values_list("order_id", flat=True).first()
    if found is None:
        raise PaymeError(TRANSACTION_NOT_FOUND, "id")
    order = services.order_lock(found)
    payment = services.payment_lock(provider=NAME, txn_id=txn_id)
    payment.order = order
    return payment


def _expire_if_late(payment: Payment) -> None:
    if payment.state == Payment.State.CREATED and services.payment_timed_out(payment):
        services.payment_cancel(payment=payment, reason=CANCEL_REASON_TIMEOUT)


def check_perform_transaction(params: dict) -> dict:
    with transaction.atomic():
        _payable_order(params)
    return {"allow": True}


def create_transaction(params: dict) -> dict:
    return _answer(_create_transaction(params))


def _create_transaction(params: dict) -> dict | PaymeError:
    txn_id = str(params["id"])
    with transaction.atomic():
        account = params.get("account") or {}
        order = services.order_lock(account.get(ACCOUNT_FIELD))
        payment = services.payment_lock(provider=NAME, txn_id=txn_id) if order is not None else None
        if payment is not None and payment.order_id != order.pk:
            raise PaymeError(CANNOT_PERFORM, "id")  # one transaction id, two orders: never mix them
        if payment is not None:
            payment.order = order
            services.payment_log(payment=payment, payload={"method": "CreateTransaction", "params": params})
            _expire_if_late(payment)
            if payment.state != Payment.State.CREATED:
                return _refused(CANNOT_PERFORM, "id")
            return _created(payment)
        order = _payable_order(params)
        for other in order.payments.select_for_update().filter(provider=NAME, state=Payment.State.CREATED):
            other.order = order
            _expire_if_late(other)
            if other.state == Payment.State.CREATED:
                raise PaymeError(ORDER_BUSY, ACCOUNT_FIELD)
        if order.state != Order.State.PENDING:  # a timed-out transaction failed it just now
            return _refused(ORDER_NOT_PAYABLE, ACCOUNT_FIELD)
        payment = services.payment_create(
            order=order,
            provider=NAME,
            txn_id=txn_id,
            amount=order.amount,
            provider_time=int(params["time"]),
            payload={"method": "CreateTransaction", "params": params},
        )
        return _created(payment)


def _refused(code: int, data: str) -> PaymeError:
    """A refusal returned (not raised) from inside the atomic block, so what it changed is kept
    (a timed-out transaction stays cancelled); ``_answer`` raises it after the commit."""
    return PaymeError(code, data)


def _answer(result: dict | PaymeError) -> dict:
    if isinstance(result, PaymeError):
        raise result
    return result


def _created(payment: Payment) -> dict:
    return {"create_time": payment.create_time, "transaction": str(payment.pk), "state": payment.state}


def perform_transaction(params: dict) -> dict:
    return _answer(_perform_transaction(params))


def _perform_transaction(params: dict) -> dict | PaymeError:
    with transaction.atomic():
        payment = _locked_payment(params)
        services.payment_log(payment=payment, payload={"method": "PerformTransaction", "params": params})
        _expire_if_late(payment)
        if payment.state == Payment.State.CREATED:
            if payment.order.state != Order.State.PENDING:
                return _refused(CANNOT_PERFORM, "id")
            services.payment_perform(payment=payment)
        if payment.state != Payment.State.PERFORMED:
            return _refused(CANNOT_PERFORM, "id")
        return {"transaction": str(payment.pk), "perform_time": payment.perform_time, "state": payment.state}


def cancel_transaction(params: dict) -> dict:
    with transaction.atomic():
        payment = _locked_payment(params)
        services.payment_log(payment=payment, payload={"method": "CancelTransaction", "params": params})
        services.payment_cancel(payment=payment, reason=int(params.get("reason") or 0) or None)
        return {"transaction": str(payment.pk), "cancel_time": payment.cancel_time, "state": payment.state}


def check_transaction(params: dict) -> dict:
    payment = Payment.objects.filter(provider=NAME, provider_txn_id=str(params["id"])).first()
    if payment is None:
        raise PaymeError(TRANSACTION_NOT_FOUND, "id")
    return {
        "create_time": payment.create_time,
        "perform_time": payment.perform_time,
        "cancel_time": payment.cancel_time,
        "transaction": str(payment.pk),
        "state": payment.state,
        "reason": payment.reason,
    }


def get_statement(params: dict) -> dict:
    start, end = int(params["from"]), int(params["to"])
    payments = Payment.objects.filter(provider=NAME, provider_time__gte=start, provider_time__lte=end).order_by(
        "provider_time", "pk"
    )
    return {
        "transactions": [
            {
                "id": p.provider_txn_id,
                "time": p.provider_time,
                "amount": p.amount,
                "account": {ACCOUNT_FIELD: str(p.order_id)},
                "create_time": p.create_time,
                "perform_time": p.perform_time,
                "cancel_time": p.cancel_time,
                "transaction": str(p.pk),
                "state": p.state,
                "reason": p.reason,
            }
            for p in payments
        ]
    }


METHODS = {
    "CheckPerformTransaction": check_perform_transaction,
    "CreateTransaction": create_transaction,
    "PerformTransaction": perform_transaction,
    "CancelTransaction": cancel_transaction,
    "CheckTransaction": check_transaction,
    "GetStatement": get_statement,
}
