"""Writes of payments: the state machine every provider adapter drives.

Callers hold the order row lock (``order_lock``) for the whole webhook, so two
deliveries of one notification run one after the other and the second finds
the first one's answer.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from classifieds.audit.services import event_record
from classifieds.orders.models import Order
from classifieds.orders.services import order_cancel, order_mark_failed, order_mark_paid

from .models import Payment

# Payme cancels a transaction that was not performed within 12 hours; we apply it to every provider.
PAYMENT_TIMEOUT = timedelta(hours=12)


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def order_lock(order_id) -> Order | None:
    """The order row, locked until the transaction ends (None when there is no such order)."""
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        return None
    return Order.objects.select_for_update().filter(pk=pk).first()


def payment_lock(*, provider: str, txn_id: str) -> Payment | None:
    return Payment.objects.select_for_update().filter(provider=provider, provider_txn_id=str(txn_id)).first()


def payment_timed_out(payment: Payment) -> bool:
    return now_ms() - payment.create_time > PAYMENT_TIMEOUT.total_seconds() * 1000


@transaction.atomic
def payment_create(
    *, order: Order, provider: str, txn_id: str, amount: int, payload: dict, provider_time: int | None = None
) -> Payment:
    """Record a provider transaction for ``order`` (state 1)."""
    payment = Payment.objects.create(
        order=order,
        provider=provider,
        provider_txn_id=str(txn_id),
        amount=amount,
        provider_time=provider_time,
        create_time=now_ms(),
        payload=[payload],
    )
    event_record(
        topic="payment.created",
        subject=payment,
        payload={"order": order.pk, "provider": provider, "transaction": str(txn_id), "amount": amount},
    )
    return payment


def payment_log(*, payment: Payment, payload: dict) -> None:
    """Keep every request the provider sent about this transaction (Admin shows them)."""
    payment.payload = [*payment.payload, payload]
    payment.save(update_fields=["payload", "updated_at"])


def payment_store_answer(*, payment: Payment, key: str, answer: dict) -> None:
    """Remember what we answered, so a repeated delivery gets the same answer."""
    payment.responses = {**payment.responses, key: answer}
    payment.save(update_fields=["responses", "updated_at"])


@transaction.atomic
def payment_perform(*, payment: Payment) -> Payment:
    """The money is taken: mark the payment performed and the order paid (which activates it). Once."""
    if payment.state == Payment.State.PERFORMED:
        return payment
    if payment.state != Payment.State.CREATED:
        raise ValueError(f"payment {payment.pk} is {payment.state}")
    payment.state = Payment.State.PERFORMED
    payment.perform_time = now_ms()
    payment.save(update_fields=["state", "perform_time", "updated_at"])
    event_record(
        topic="payment.performed",
        subject=payment,
        payload={"order": payment.order_id, "provider": payment.provider, "transaction": payment.provider_txn_id},
    )
    order_mark_paid(order=payment.order, provider=payment.provider, txn_id=payment.provider_txn_id)
    return payment


@transaction.atomic
def payment_cancel(*, payment: Payment, reason: int | None = None, superseded_by: str | None = None) -> Payment:
    """Cancel: before perform the order fails (-1); after perform it is refunded and its promotions end (-2).

    ``superseded_by``: a newer transaction of the same provider for the same order replaced this one
    (the order keeps waiting for that one instead of failing).
    """
    if payment.state in (Payment.State.CANCELLED, Payment.State.REFUNDED):
        return payment
    performed = payment.state == Payment.State.PERFORMED
    payment.state = Payment.State.REFUNDED if performed else Payment.State.CANCELLED
    payment.reason = reason
    payment.cancel_time = now_ms()
    payment.save(update_fields=["state", "reason", "cancel_time", "updated_at"])
    event_payload = {"order": payment.order_id, "provider": payment.provider, "reason": reason}
    if superseded_by is not None:
        event_payload["superseded_by"] = superseded_by
    event_record(topic="payment.refunded" if performed else "payment.cancelled", subject=payment, payload=event_payload)
    if performed:
        order_cancel(order=payment.order, reason=f"{payment.provider} cancel, reason {reason}")
    elif not payment.order.payments.filter(state__in=[Payment.State.CREATED, Payment.State.PERFORMED]).exists():
        order_mark_failed(order=payment.order, reason=f"{payment.provider} cancel, reason {reason}")
    return payment
