"""Paid visibility: the price table staff edit, and the promotions a paid order switched on."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PromotionType(models.TextChoices):
    BUMP = "bump", _("bump to the top of the list")
    TOP = "top", _("TOP slot in the category")
    SPOTLIGHT = "spotlight", _("spotlight on the home page")


class PromotionPriceQuerySet(models.QuerySet):
    def for_category(self, category) -> list[PromotionPrice]:
        """The offers for a listing in ``category``: the nearest ancestor's price wins, then the default row."""
        path = list(category.path or [category.pk])
        rows = list(self.filter(Q(category__isnull=True) | Q(category_id__in=path), active=True))
        depth = {pk: i for i, pk in enumerate(path)}
        best: dict[tuple[str, int], PromotionPrice] = {}
        for row in rows:
            key = (row.type, row.days)
            rank = depth.get(row.category_id, -1)
            current = best.get(key)
            if current is None or rank > depth.get(current.category_id, -1):
                best[key] = row
        order = {value: i for i, value in enumerate(PromotionType.values)}
        return sorted(best.values(), key=lambda r: (order[r.type], r.days))


class PromotionPrice(models.Model):
    """What one promotion of ``type`` for ``days`` costs in a category subtree (no category: everywhere)."""

    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("empty: the default for every category"),
    )
    type = models.CharField(_("type"), max_length=10, choices=PromotionType.choices)
    days = models.PositiveSmallIntegerField(_("days"), help_text=_("0 for a bump"))
    price = models.PositiveBigIntegerField(_("price, sum"))
    active = models.BooleanField(_("on sale"), default=True)

    objects = PromotionPriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotion price")
        verbose_name_plural = _("promotion prices")
        ordering = ["category_id", "type", "days"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "type", "days"], name="promotion_price_unique", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=Q(type="bump", days=0) | (~Q(type="bump") & Q(days__gt=0)),
                name="promotion_price_days",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="promotion_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.days} — {self.price} UZS"

    @property
    def code(self) -> str:
        """How the purchase form names this offer (``top-7``)."""
        return f"{self.type}-{self.days}"


class PromotionQuerySet(models.QuerySet):
    def live(self, now: datetime | None = None):
        """Running right now: active and inside its window, whatever the expiry task has done yet."""
        now = now or timezone.now()
        return self.filter(state=Promotion.State.ACTIVE, starts_at__lte=now, ends_at__gt=now)

    def of_type(self, type_: str):
        return self.filter(type=type_)

    def status_by_listing(self, now: datetime | None = None):
        """One row per listing: the window of its current (or queued) TOP and spotlight, and its last bump.

        ``*_from`` later than now means the window is queued (it starts when an ended one would have).
        """
        now = now or timezone.now()
        current = Q(state=Promotion.State.ACTIVE, ends_at__gt=now)
        top = current & Q(type=PromotionType.TOP)
        spotlight = current & Q(type=PromotionType.SPOTLIGHT)
        return (
            self.order_by()
            .values("listing_id")
            .annotate(
                top_from=models.Min("starts_at", filter=top),
                top_until=models.Max("ends_at", filter=top),
                spotlight_from=models.Min("starts_at", filter=spotlight),
                spotlight_until=models.Max("ends_at", filter=spotlight),
                bumped_at=models.Max(
                    "starts_at", filter=Q(type=PromotionType.BUMP) & ~Q(state=Promotion.State.CANCELLED)
                ),
            )
        )


class Promotion(models.Model):
    """One promotion of one listing, switched on by a paid order item (or by staff)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")
        CANCELLED = "cancelled", _("cancelled")

    listing = models.ForeignKey(
        "listings.Listing", verbose_name=_("listing"), on_delete=models.CASCADE, related_name="promotions"
    )
    type = models.CharField(_("type"), max_length=10, choices=PromotionType.choices)
    order_item = models.OneToOneField(
        "orders.OrderItem",
        verbose_name=_("order item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promotion",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            # Pinned slots and the home carousel read only running rows; the expiry sweep too.
            models.Index(fields=["type", "ends_at"], name="promotion_active", condition=Q(state="active")),
            models.Index(fields=["listing", "type"], name="promotion_listing"),
        ]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="promotion_window")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} #{self.listing_id}"
