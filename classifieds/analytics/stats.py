"""Reads of the daily counts: a listing's days, totals and conversions (the seller's statistics page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Sum

from .models import DailyCount, EventKind

# What a seller's chart shows, in this order.
LISTING_KINDS = [
    EventKind.IMPRESSION,
    EventKind.VIEW,
    EventKind.PHONE_REVEAL,
    EventKind.FAVORITE,
    EventKind.MESSAGE_STARTED,
]


@dataclass
class ListingSeries:
    """Per-day counts of each kind over ``days`` (oldest first), zeros where nothing happened."""

    days: list[date]
    counts: dict[str, list[int]] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(self.counts.get(kind, []))

    def rate(self, numerator: str, denominator: str) -> float | None:
        """``numerator / denominator`` over the period, None without a denominator."""
        below = self.total(denominator)
        return self.total(numerator) / below if below else None

    def rows(self) -> list[dict]:
        """One row per day (the table that is the chart's accessible alternative)."""
        return [
            {"day": day, "values": [self.counts[kind][i] for kind in self.counts]} for i, day in enumerate(self.days)
        ]


def listing_series(listing_id: int, *, end: date, days: int = 30, kinds=LISTING_KINDS) -> ListingSeries:
    """The last ``days`` days up to ``end`` of one listing, in one query on the (listing_id, day, …) index."""
    start = end - timedelta(days=days - 1)
    span = [start + timedelta(days=i) for i in range(days)]
    position = {day: i for i, day in enumerate(span)}
    series = ListingSeries(days=span, counts={kind: [0] * days for kind in kinds})
    rows = (
        DailyCount.objects.filter(listing_id=listing_id, day__gte=start, day__lte=end, kind__in=list(kinds))
        .values_list("day", "kind")
        .annotate(n=Sum("count"))
    )
    for day, kind, n in rows:
        series.counts[kind][position[day]] += n
    return series


def listing_window_totals(listing_id: int, *, start: date, end: date, kinds=LISTING_KINDS) -> dict[str, int]:
    """Totals of each kind from ``start`` to ``end`` inclusive."""
    totals = dict.fromkeys(kinds, 0)
    rows = (
        DailyCount.objects.filter(listing_id=listing_id, day__gte=start, day__lte=end, kind__in=list(kinds))
        .values_list("kind")
        .annotate(n=Sum("count"))
    )
    for kind, n in rows:
        totals[kind] = n
    return totals


def subject_totals(kind: str, *, start: date, end: date, limit: int = 200) -> list[tuple[str, int]]:
    """The most counted subjects of a kind (e.g. search terms without results), most first."""
    return list(
        DailyCount.objects.filter(kind=kind, listing_id=0, day__gte=start, day__lte=end)
        .values_list("subject")
        .annotate(n=Sum("count"))
        .order_by("-n", "subject")[:limit]
    )
