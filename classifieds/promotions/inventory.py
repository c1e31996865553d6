"""TOP places: each category has ``PROMOTION_TOP_SLOTS`` pinned slots, and no more TOPs are sold for a period.

A TOP is pinned above the results of its listing's category for its whole window, so at no
instant may more TOP windows overlap in one category than it has slots. Windows are those of
active TOP promotions (running or queued) plus *holds*: orders not paid yet, which keep a slot
for ``PROMOTION_TOP_HOLD_MINUTES`` (orders passes them in; promotions knows no orders).

Sales in one category are serialized by a row lock on the category (``top_inventory_lock``),
taken by ordering and by activation, so two buyers of the last slot cannot both get it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from classifieds.taxonomy.models import Category

from .models import Promotion, PromotionType

Window = tuple[datetime, datetime]


def top_slots() -> int:
    return int(settings.PROMOTION_TOP_SLOTS)


def top_inventory_lock(*, category_id: int) -> None:
    """Serialize TOP sales in this category until the transaction ends (a lock, no write)."""
    Category.objects.select_for_update().filter(pk=category_id).values_list("pk", flat=True).first()


def top_windows(*, category_id: int, now: datetime) -> list[Window]:
    """Windows of the category's TOPs that have not ended (running or queued)."""
    return list(
        Promotion.objects.filter(
            listing__category_id=category_id,
            type=PromotionType.TOP,
            state=Promotion.State.ACTIVE,
            ends_at__gt=now,
        ).values_list("starts_at", "ends_at")
    )


def _peak(windows: Iterable[Window], start: datetime, end: datetime) -> int:
    """The most windows overlapping at one instant of [start, end)."""
    inside = [(s, e) for s, e in windows if s < end and e > start]
    instants = [start, *(s for s, _ in inside if s > start)]
    return max((sum(1 for s, e in inside if s <= t < e) for t in instants), default=0)


def first_free_start(windows: Sequence[Window], *, earliest: datetime, length: timedelta, slots: int) -> datetime:
    """The earliest start at or after ``earliest`` where a window of ``length`` fits under ``slots`` throughout.

    A fit can only begin at ``earliest`` or when some window ends, so only those are tried.
    """
    for start in sorted({earliest, *(e for _, e in windows if e > earliest)}):
        if _peak(windows, start, start + length) < slots:
            return start
    raise AssertionError("unreachable: after the last window ends every slot is free")  # pragma: no cover


def top_start(*, listing_id: int, now: datetime) -> datetime:
    """When a new TOP of this listing would start: now, or when its own running/queued TOP ends."""
    running_until = (
        Promotion.objects.filter(
            listing_id=listing_id, type=PromotionType.TOP, state=Promotion.State.ACTIVE, ends_at__gt=now
        )
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    return max(now, running_until) if running_until else now


def top_next_free(
    *, category_id: int, listing_id: int, days: int, holds: Sequence[Window] = (), now: datetime | None = None
) -> datetime | None:
    """None when a TOP of ``days`` for the listing can start as it would now; else when the next slot frees."""
    now = now or timezone.now()
    start = top_start(listing_id=listing_id, now=now)
    windows = [*top_windows(category_id=category_id, now=now), *holds]
    free = first_free_start(windows, earliest=start, length=timedelta(days=days), slots=top_slots())
    return None if free == start else free
