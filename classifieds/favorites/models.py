"""A buyer's favorite listings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FavoriteQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def newest(self):
        return self.order_by("-created_at", "-pk")


class Favorite(models.Model):
    """One listing kept by one user, with the price it had then (to show a change since)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="favorites"
    )
    listing = models.ForeignKey(
        "listings.Listing", verbose_name=_("listing"), on_delete=models.CASCADE, related_name="favorites"
    )
    saved_price = models.DecimalField(_("price when saved"), max_digits=14, decimal_places=2, null=True, blank=True)
    saved_currency = models.CharField(_("currency when saved"), max_length=3, blank=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    objects = FavoriteQuerySet.as_manager()

    class Meta:
        verbose_name = _("favorite")
        verbose_name_plural = _("favorites")
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="favorite_unique_user_listing")]
        indexes = [models.Index(fields=["user", "-created_at"], name="favorite_user_newest")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.listing_id}"
