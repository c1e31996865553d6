"""Provider transactions: one row per provider transaction id, with everything the provider sent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    """A provider's attempt to pay an order.

    ``state`` uses Payme's numbers for every provider: 1 created (money held
    or being prepared), 2 performed (paid), -1 cancelled before perform, -2
    cancelled after perform (refunded). Times in ``*_time`` are milliseconds
    since the epoch, as Payme asks them back in CheckTransaction.
    """

    class State(models.IntegerChoices):
        CREATED = 1, _("created")
        PERFORMED = 2, _("paid")
        CANCELLED = -1, _("cancelled")
        REFUNDED = -2, _("cancelled after payment")

    order = models.ForeignKey(
        "orders.Order", verbose_name=_("purchase order"), on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=20)
    provider_txn_id = models.CharField(_("provider transaction id"), max_length=64)
    amount = models.PositiveBigIntegerField(_("amount, tiyin"))
    state = models.SmallIntegerField(_("state"), choices=State.choices, default=State.CREATED)
    reason = models.SmallIntegerField(_("cancel reason"), null=True, blank=True)
    provider_time = models.BigIntegerField(_("provider time, ms"), null=True, blank=True)
    create_time = models.BigIntegerField(_("created, ms"))
    perform_time = models.BigIntegerField(_("performed, ms"), default=0)
    cancel_time = models.BigIntegerField(_("cancelled, ms"), default=0)
    payload = models.JSONField(_("provider payload"), default=list, blank=True, help_text=_("every request received"))
    responses = models.JSONField(_("stored answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_txn_id"], name="payment_provider_txn_unique"),
        ]
        indexes = [models.Index(fields=["provider", "provider_time"], name="payment_statement")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_txn_id}"
