"""Writes of promotions: quote, activate (from a paid order item), expire, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from classifieds.audit.services import event_record
from classifieds.listings.models import Listing
from classifieds.listings.services import listing_bump, listing_set_promoted, listings_changed

from .inventory import Window, first_free_start, top_inventory_lock, top_next_free, top_slots, top_windows
from .models import Promotion, PromotionPrice, PromotionType
from .notices import promotion_notify_ended, promotion_notify_started


class PromotionError(Exception):
    """A promotion cannot be bought or changed; the message is for the seller."""


def promotion_offers(*, listing: Listing) -> list[PromotionPrice]:
    """What the listing's seller can buy, with prices (the quote)."""
    return PromotionPrice.objects.for_category(listing.category)


def promotion_quote(*, listing: Listing, code: str) -> PromotionPrice:
    """The offer named ``code`` (``top-7``) for this listing, or PromotionError."""
    if not listing.is_visible:
        raise PromotionError(_("Only an active listing can be promoted."))
    for offer in promotion_offers(listing=listing):
        if offer.code == code:
            return offer
    raise PromotionError(_("This promotion is not on sale for this listing."))


# What buys a relevance boost besides its own placement (a bump only refreshes the date).
BOOSTED = (PromotionType.TOP, PromotionType.SPOTLIGHT)


def promotion_top_check(
    *, listing: Listing, days: int, holds: Sequence[Window] = (), now: datetime | None = None
) -> None:
    """PromotionError, saying when the next TOP place frees, unless a TOP of ``days`` can start as it would now.

    Call it under ``top_inventory_lock`` of the listing's category, with ``holds`` read after taking
    the lock, and write the order in the same transaction: a second buyer then sees the first one.
    """
    free = top_next_free(category_id=listing.category_id, listing_id=listing.pk, days=days, holds=holds, now=now)
    if free is not None:
        raise PromotionError(
            _("All TOP places in this category are taken for that period: the next one frees on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(free), "DATETIME_FORMAT")}
        )


def _reindex(listing_id: int, reason: str) -> None:
    """Keep the listing's boost window equal to its running or queued TOP/spotlight, then reindex it."""
    until = (
        Promotion.objects.filter(listing_id=listing_id, type__in=BOOSTED, state=Promotion.State.ACTIVE)
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    listing_set_promoted(listing_id=listing_id, until=until)
    listings_changed(listing_ids=[listing_id], reason=reason)


@transaction.atomic
def promotion_activate(*, item, now: datetime | None = None) -> Promotion:
    """Switch on what a paid order item bought. Once per item (the one-to-one row refuses a second)."""
    existing = Promotion.objects.filter(order_item=item).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    listing = Listing.objects.select_for_update().get(pk=item.order.listing_id)
    if item.type == PromotionType.BUMP:
        starts_at = ends_at = now
        listing_bump(listing=listing, now=now)
        state = Promotion.State.ENDED
    else:
        # A second purchase of the same kind queues behind the running one instead of overlapping it.
        running_until = (
            Promotion.objects.filter(listing=listing, type=item.type, state=Promotion.State.ACTIVE, ends_at__gt=now)
            .order_by("-ends_at")
            .values_list("ends_at", flat=True)
            .first()
        )
        starts_at = max(now, running_until) if running_until else now
        length = timedelta(days=item.days * item.qty)
        if item.type == PromotionType.TOP:
            # Its place was checked when ordered; should it be gone (paid after the hold ran out), the
            # paid TOP waits for the next free place rather than overselling the category or losing days.
            top_inventory_lock(category_id=listing.category_id)
            windows = top_windows(category_id=listing.category_id, now=now)
            starts_at = first_free_start(windows, earliest=starts_at, length=length, slots=top_slots())
        ends_at = starts_at + length
        state = Promotion.State.ACTIVE
    promotion = Promotion.objects.create(
        listing=listing,
        type=item.type,
        order_item=item,
        state=state,
        starts_at=starts_at,
        ends_at=ends_at,
        ended_at=now if state == Promotion.State.ENDED else None,
    )
    type(item).objects.filter(pk=item.pk).update(starts_at=starts_at, ends_at=ends_at)
    item.starts_at, item.ends_at = starts_at, ends_at
    event_record(
        topic="promotion.activated",
        subject=promotion,
        payload={"listing": listing.pk, "type": item.type, "ends_at": ends_at.isoformat(), "order": item.order_id},
    )
    _reindex(listing.pk, "promotion")
    promotion_notify_started(promotion=promotion)
    return promotion


@transaction.atomic
def promotion_cancel(*, promotion: Promotion, actor=None, reason: str = "") -> Promotion:
    """End a promotion early (refund, provider cancel, staff). Idempotent."""
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if promotion.state != Promotion.State.ACTIVE:
        return promotion
    now = timezone.now()
    promotion.state = Promotion.State.CANCELLED
    promotion.ended_at = now
    promotion.ends_at = max(promotion.starts_at, min(promotion.ends_at, now))
    promotion.save(update_fields=["state", "ended_at", "ends_at"])
    event_record(
        topic="promotion.cancelled",
        subject=promotion,
        actor=actor,
        payload={"listing": promotion.listing_id, "type": promotion.type, "reason": reason},
    )
    _reindex(promotion.listing_id, "promotion")
    return promotion


@transaction.atomic
def promotion_expire_due(*, now: datetime | None = None) -> int:
    """End every active promotion whose window is over. Returns how many ended."""
    now = now or timezone.now()
    due = list(
        Promotion.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("listing__owner")
        .filter(state=Promotion.State.ACTIVE, ends_at__lte=now)
    )
    for promotion in due:
        promotion.state = Promotion.State.ENDED
        promotion.ended_at = now
        promotion.save(update_fields=["state", "ended_at"])
        event_record(
            topic="promotion.expired",
            subject=promotion,
            payload={"listing": promotion.listing_id, "type": promotion.type},
        )
        promotion_notify_ended(promotion=promotion)
    for listing_id in sorted({p.listing_id for p in due}):
        _reindex(listing_id, "promotion")
    return len(due)
