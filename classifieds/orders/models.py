"""What a seller buys: an order of promotion items, paid once through one provider."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifieds.promotions.models import PromotionType


class Order(models.Model):
    """A purchase. ``amount`` is in tiyin (1 sum = 100 tiyin), as Payme counts; never a float."""

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting payment")
        PAID = "paid", _("paid")
        FAILED = "failed", _("payment failed")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="orders"
    )
    listing = models.ForeignKey(
        "listings.Listing", verbose_name=_("listing"), on_delete=models.PROTECT, related_name="orders"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    provider = models.CharField(_("payment provider"), max_length=20)
    amount = models.PositiveBigIntegerField(_("amount, tiyin"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double click (or a retried POST) finds the order the first click made.
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="order_idempotency"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_state_display()}"

    @property
    def amount_sum(self) -> int:
        return self.amount // 100


class OrderItem(models.Model):
    """One promotion bought: its type, duration and price when bought; the window it got when activated."""

    order = models.ForeignKey(Order, verbose_name=_("purchase order"), on_delete=models.CASCADE, related_name="items")
    type = models.CharField(_("type"), max_length=10, choices=PromotionType.choices)
    days = models.PositiveSmallIntegerField(_("days"))
    unit_price = models.PositiveBigIntegerField(_("unit price, tiyin"))
    qty = models.PositiveSmallIntegerField(_("quantity"), default=1)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="order_item_qty_positive")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} × {self.qty}"

    @property
    def total(self) -> int:
        return self.unit_price * self.qty
