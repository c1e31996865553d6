"""Reconciliation: orders whose state disagrees with what the provider says about their payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classifieds.orders.models import Order

from .models import Payment


@dataclass(frozen=True)
class Mismatch:
    order_id: int | None
    provider: str
    transaction: str
    problem: str

    def __str__(self) -> str:
        return f"order #{self.order_id} {self.provider}:{self.transaction} — {self.problem}"


def _expected_order_states(payment_state: int) -> set[str]:
    return {
        Payment.State.PERFORMED: {Order.State.PAID},
        Payment.State.REFUNDED: {Order.State.REFUNDED},
    }.get(payment_state, set())


def reconcile(*, since: datetime, statement: list[dict] | None = None, provider: str = "payme") -> list[Mismatch]:
    """Compare orders with their payments (and, given a provider statement, payments with the statement).

    ``statement``: transactions as Payme's GetStatement lists them (``id``, ``amount``, ``state``).
    """
    found: list[Mismatch] = []
    orders = Order.objects.filter(created_at__gte=since).prefetch_related("payments")
    for order in orders:
        payments = list(order.payments.all())
        performed = [p for p in payments if p.state == Payment.State.PERFORMED]
        refunded = [p for p in payments if p.state == Payment.State.REFUNDED]
        if order.state == Order.State.PAID and not performed:
            found.append(Mismatch(order.pk, order.provider, "-", "order paid without a performed payment"))
        if order.state != Order.State.PAID and performed:
            for p in performed:
                problem = (
                    "refunded here, still paid at the provider: refund it there"
                    if order.state == Order.State.REFUNDED
                    else f"money taken but the order is {order.state}"
                )
                found.append(Mismatch(order.pk, p.provider, p.provider_txn_id, problem))
        if len(performed) > 1:
            found.append(Mismatch(order.pk, order.provider, "-", f"{len(performed)} payments performed for one order"))
        for p in refunded:
            if order.state != Order.State.REFUNDED:
                found.append(
                    Mismatch(order.pk, p.provider, p.provider_txn_id, f"refunded but the order is {order.state}")
                )
    if statement is not None:
        found += _against_statement(statement, provider=provider, since=since)
    return found


def _against_statement(statement: list[dict], *, provider: str, since: datetime) -> list[Mismatch]:
    found: list[Mismatch] = []
    ours = {p.provider_txn_id: p for p in Payment.objects.filter(provider=provider, created_at__gte=since)}
    seen = set()
    for row in statement:
        txn = str(row.get("id"))
        seen.add(txn)
        payment = ours.get(txn) or Payment.objects.filter(provider=provider, provider_txn_id=txn).first()
        if payment is None:
            found.append(Mismatch(None, provider, txn, "in the provider's statement, unknown here"))
            continue
        if int(row.get("amount", payment.amount)) != payment.amount:
            found.append(Mismatch(payment.order_id, provider, txn, "amount differs"))
        state = int(row.get("state", payment.state))
        if state != payment.state:
            found.append(Mismatch(payment.order_id, provider, txn, f"state {state} there, {payment.state} here"))
        expected = _expected_order_states(state)
        if expected and payment.order.state not in expected:
            found.append(
                Mismatch(payment.order_id, provider, txn, f"provider state {state}, order is {payment.order.state}")
            )
    for txn, payment in ours.items():
        if txn not in seen and payment.state in (Payment.State.PERFORMED, Payment.State.REFUNDED):
            found.append(Mismatch(payment.order_id, provider, txn, "missing from the provider's statement"))
    return found
