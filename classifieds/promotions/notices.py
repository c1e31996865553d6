"""What promotions tell sellers through ``notifications.notify()``: started, ended."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone, translation

from classifieds.notifications.services import notify, recipient_language

from .models import Promotion, PromotionType


def _context(promotion: Promotion, *, url: str) -> dict:
    listing = promotion.listing
    return {
        "listing_id": listing.pk,
        "promotion_id": promotion.pk,
        "title": listing.title,
        "promotion": str(PromotionType(promotion.type).label),
        "until": formats.date_format(timezone.localtime(promotion.ends_at), "j E Y, H:i"),
        "url": url,
    }


def promotion_notify_started(*, promotion: Promotion) -> None:
    """Tell the seller what they bought is on (in the activating transaction)."""
    owner = promotion.listing.owner
    with translation.override(recipient_language(owner)):
        context = _context(promotion, url=promotion.listing.get_absolute_url())
    notify(user=owner, kind="promotion.started", context=context, subject=f"promotion:{promotion.pk}")


def promotion_notify_ended(*, promotion: Promotion) -> None:
    """Tell the seller a TOP or spotlight window is over, with the way to buy another."""
    owner = promotion.listing.owner
    with translation.override(recipient_language(owner)):
        context = _context(promotion, url=reverse("web:promote", kwargs={"pk": promotion.listing_id}))
    notify(user=owner, kind="promotion.ended", context=context, subject=f"promotion:{promotion.pk}")
