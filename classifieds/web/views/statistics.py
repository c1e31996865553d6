"""A seller's statistics for one listing: 30 days of events as an SVG chart and a table, and a promotion's effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from classifieds.accounts.decorators import login_required
from classifieds.analytics.chart import line_chart
from classifieds.analytics.models import EventKind
from classifieds.analytics.stats import LISTING_KINDS, listing_series, listing_window_totals
from classifieds.listings.loaders import load_own_listing
from classifieds.promotions.models import Promotion

CHART_DAYS = 30
EFFECT_MAX_DAYS = 30  # a promotion's days compared with as many days just before it, at most this many


@dataclass(frozen=True)
class EffectRow:
    kind: str
    label: str
    before: float  # per day
    during: float  # per day
    change: float | None  # per cent: during / before - 1, None without a "before"


@dataclass(frozen=True)
class PromotionEffect:
    promotion: Promotion
    days: int
    before_start: date
    before_end: date
    during_start: date
    during_end: date
    rows: list[EffectRow]


def promotion_effect(listing_id: int, *, today: date) -> PromotionEffect | None:
    """The latest promotion that has started: events per day during it against as many days before it."""
    promotion = (
        Promotion.objects.filter(listing_id=listing_id, starts_at__lte=timezone.now()).order_by("-starts_at").first()
    )
    if promotion is None:
        return None
    start = timezone.localdate(promotion.starts_at)
    end = min(timezone.localdate(promotion.ended_at or promotion.ends_at), today)
    days = max(1, min((end - start).days + 1, EFFECT_MAX_DAYS))
    end = start + timedelta(days=days - 1)
    before_end = start - timedelta(days=1)
    before_start = start - timedelta(days=days)
    before = listing_window_totals(listing_id, start=before_start, end=before_end)
    during = listing_window_totals(listing_id, start=start, end=end)
    rows = []
    for kind in LISTING_KINDS:
        per_day_before, per_day_during = before[kind] / days, during[kind] / days
        change = (per_day_during / per_day_before - 1) * 100 if per_day_before else None
        rows.append(EffectRow(kind, str(EventKind(kind).label), per_day_before, per_day_during, change))
    return PromotionEffect(promotion, days, before_start, before_end, start, end, rows)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


@login_required
@require_GET
def listing_statistics(request: HttpRequest, pk: int) -> TemplateResponse:
    """The seller's own listing: impressions, views, reveals, favorites and messages per day (another's: 404)."""
    listing = load_own_listing(request, pk)
    today = timezone.localdate()
    series = listing_series(listing.pk, end=today, days=CHART_DAYS)
    labels = {kind: str(EventKind(kind).label) for kind in LISTING_KINDS}
    context = {
        "listing": listing,
        "series": series,
        "labels": [labels[kind] for kind in LISTING_KINDS],
        "chart": line_chart(series.days, series.counts, labels),
        "totals": [(labels[kind], series.total(kind)) for kind in LISTING_KINDS],
        "view_rate": _percent(series.rate(EventKind.VIEW, EventKind.IMPRESSION)),
        "reveal_rate": _percent(series.rate(EventKind.PHONE_REVEAL, EventKind.VIEW)),
        "effect": promotion_effect(listing.pk, today=today),
        "days": CHART_DAYS,
        "meta": None,
    }
    return TemplateResponse(request, "web/listing_statistics.html", context)
