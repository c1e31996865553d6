"""Writes of orders: create (idempotent), and the state changes payments drive."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from classifieds.audit.services import event_record
from classifieds.listings.models import Listing
from classifieds.listings.money import format_money
from classifieds.notifications.services import notify, recipient_language
from classifieds.promotions.inventory import Window, top_inventory_lock
from classifieds.promotions.models import Promotion, PromotionType
from classifieds.promotions.services import (
    PromotionError,
    promotion_activate,
    promotion_cancel,
    promotion_quote,
    promotion_top_check,
)

from .models import Order, OrderItem


class OrderError(Exception):
    """An order cannot be created or changed; the message is for the seller."""


def order_create(*, user, listing: Listing, code: str, provider: str, idempotency_key: str) -> Order:
    """An order for the promotion ``code`` of ``listing``; the same key returns the first order made with it."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise OrderError(_("The form has expired; please try again."))
    existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if listing.owner_id != user.pk:
        raise OrderError(_("Only the seller can promote this listing."))
    try:
        offer = promotion_quote(listing=listing, code=code)
    except PromotionError as error:
        raise OrderError(str(error)) from error
    try:
        return _order_insert(user=user, listing=listing, offer=offer, provider=provider, key=idempotency_key)
    except PromotionError as error:  # the last TOP place went to someone else
        raise OrderError(str(error)) from error
    except IntegrityError:
        # Two requests with one key raced: the other one's row is the order.
        return Order.objects.get(user=user, idempotency_key=idempotency_key)


def order_top_holds(*, category_id: int, now: datetime | None = None) -> list[Window]:
    """Places kept for unpaid TOP orders in the category: (ordered, ordered + days), for the hold's time."""
    now = now or timezone.now()
    rows = OrderItem.objects.filter(
        type=PromotionType.TOP,
        starts_at__isnull=True,
        order__state=Order.State.PENDING,
        order__listing__category_id=category_id,
        order__created_at__gt=now - timedelta(minutes=settings.PROMOTION_TOP_HOLD_MINUTES),
    ).values_list("order__created_at", "days", "qty")
    return [(created, created + timedelta(days=days * qty)) for created, days, qty in rows]


@transaction.atomic
def _order_insert(*, user, listing: Listing, offer, provider: str, key: str) -> Order:
    if offer.type == PromotionType.TOP:
        # One sale at a time per category; holds are read after the lock, so they include the last buyer's.
        top_inventory_lock(category_id=listing.category_id)
        holds = order_top_holds(category_id=listing.category_id)
        promotion_top_check(listing=listing, days=offer.days, holds=holds)
    unit_price = offer.price * 100
    order = Order.objects.create(user=user, listing=listing, idempotency_key=key, provider=provider, amount=unit_price)
    OrderItem.objects.create(order=order, type=offer.type, days=offer.days, unit_price=unit_price, qty=1)
    event_record(
        topic="order.created",
        subject=order,
        actor=user,
        payload={"listing": listing.pk, "offer": offer.code, "amount": order.amount, "provider": provider},
    )
    return order


def _close(order: Order, state: str, *, actor=None, topic: str, payload: dict | None = None) -> Order:
    before = order.state
    order.state = state
    now = timezone.now()
    if state == Order.State.PAID:
        order.paid_at = now
    else:
        order.closed_at = now
    order.save(update_fields=["state", "paid_at", "closed_at"])
    event_record(topic=topic, subject=order, actor=actor, payload={"from": before, "to": state, **(payload or {})})
    return order


@transaction.atomic
def order_mark_paid(*, order: Order, provider: str, txn_id: str) -> Order:
    """Paid: activate what it bought. The caller holds the order row lock; a second call changes nothing."""
    if order.state == Order.State.PAID:
        return order
    if order.state != Order.State.PENDING:
        raise OrderError(f"order {order.pk} is {order.state}, cannot be paid")
    _close(order, Order.State.PAID, topic="order.paid", payload={"provider": provider, "transaction": txn_id})
    _notify_paid(order)
    for item in order.items.select_related("order"):
        promotion_activate(item=item)
    return order


def _notify_paid(order: Order) -> None:
    """Tell the buyer of a promotion their payment arrived (in the transaction that records it)."""
    user = order.user
    with translation.override(recipient_language(user)):
        context = {
            "order_id": order.pk,
            "listing_id": order.listing_id,
            "title": order.listing.title,
            "amount": format_money(order.amount_sum, "UZS"),
            "url": reverse("web:seller_listings"),
        }
    notify(user=user, kind="payment.received", context=context, subject=f"order:{order.pk}")


@transaction.atomic
def order_mark_failed(*, order: Order, reason: str = "") -> Order:
    """The payment did not happen (declined, timed out, cancelled before payment)."""
    if order.state != Order.State.PENDING:
        return order
    return _close(order, Order.State.FAILED, topic="order.failed", payload={"reason": reason})


@transaction.atomic
def order_cancel(*, order: Order, actor=None, reason: str = "") -> Order:
    """Cancel an order: a pending one is closed; a paid one is refunded and its promotions end."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.state == Order.State.PENDING:
        return _close(order, Order.State.CANCELLED, actor=actor, topic="order.cancelled", payload={"reason": reason})
    if order.state != Order.State.PAID:
        return order
    for promotion in Promotion.objects.filter(order_item__order=order):
        promotion_cancel(promotion=promotion, actor=actor, reason=reason or "refund")
    return _close(order, Order.State.REFUNDED, actor=actor, topic="order.refunded", payload={"reason": reason})
