"""Staff reports (Admin → Reports): each one a table of plain values over the last N days, shown or exported as CSV.

They read several domains (listings, taxonomy, orders, the analytics counts), which is why they are
composed here, at the top of the layer order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifieds.analytics.models import EventKind
from classifieds.analytics.stats import subject_totals
from classifieds.listings.models import Listing
from classifieds.orders.models import Order, OrderItem
from classifieds.promotions.models import PromotionType
from classifieds.taxonomy.models import Category, Location

S = Listing.Status
TIYIN_PER_SUM = 100


@dataclass
class Table:
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    summary: list[tuple[str, object]] = field(default_factory=list)  # figures shown above the table


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    description: str
    build: Callable[[date, date], Table]


def _names(model, ids) -> dict[int, str]:
    return {pk: str(node.name) for pk, node in model.objects.in_bulk([i for i in ids if i is not None]).items()}


def new_listings(start: date, end: date) -> Table:
    """Listings posted (drafts aside) per day, by top-level category and region."""
    rows = list(
        Listing.objects.exclude(status=S.DRAFT)
        .annotate(day=TruncDate("created_at"), root=F("category__path__0"), region=F("location__path__0"))
        .filter(day__gte=start, day__lte=end)
        .values_list("day", "root", "region")
        .annotate(n=Count("pk"))
        .order_by("day", "root", "region")
    )
    categories = _names(Category, {r[1] for r in rows})
    regions = _names(Location, {r[2] for r in rows})
    return Table(
        columns=[str(_("Day")), str(_("Category")), str(_("Region")), str(_("New listings"))],
        rows=[[day, categories.get(root, "—"), regions.get(region, "—"), n] for day, root, region, n in rows],
        summary=[(str(_("New listings")), sum(r[3] for r in rows))],
    )


def active_sellers(start: date, end: date) -> Table:
    """Per day: sellers who posted, and how many of them posted for the first time."""
    posted = Listing.objects.exclude(status=S.DRAFT).annotate(day=TruncDate("created_at"))
    per_day = dict(
        posted.filter(day__gte=start, day__lte=end).values_list("day").annotate(n=Count("owner_id", distinct=True))
    )
    firsts = (
        Listing.objects.exclude(status=S.DRAFT)
        .values("owner_id")
        .annotate(first=Min("created_at"))
        .filter(first__date__gte=start, first__date__lte=end)
    )
    first_days: dict[date, int] = {}
    for row in firsts:
        day = timezone.localdate(row["first"])
        first_days[day] = first_days.get(day, 0) + 1
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    now = timezone.now()
    with_active = Listing.objects.filter(status=S.ACTIVE, expires_at__gt=now).values("owner_id").distinct().count()
    return Table(
        columns=[str(_("Day")), str(_("Sellers who posted")), str(_("Of them, for the first time"))],
        rows=[[day, per_day.get(day, 0), first_days.get(day, 0)] for day in days],
        summary=[
            (str(_("Sellers with an active listing now")), with_active),
            (
                str(_("Sellers who posted in the period")),
                posted.filter(day__gte=start, day__lte=end).values("owner_id").distinct().count(),
            ),
        ],
    )


def promotion_revenue(start: date, end: date) -> Table:
    """Paid promotion revenue per day and type (orders counted by their payment date), in sum."""
    rows = list(
        OrderItem.objects.filter(order__state=Order.State.PAID)
        .annotate(day=TruncDate("order__paid_at"))
        .filter(day__gte=start, day__lte=end)
        .values_list("day", "type")
        .annotate(orders=Count("order_id", distinct=True), revenue=Sum(F("unit_price") * F("qty")))
        .order_by("day", "type")
    )
    labels = dict(PromotionType.choices)
    totals: dict[str, int] = {}
    for _day, type_, _orders, revenue in rows:
        totals[type_] = totals.get(type_, 0) + revenue
    return Table(
        columns=[str(_("Day")), str(_("Promotion")), str(_("Orders")), str(_("Revenue, sum"))],
        rows=[[day, str(labels.get(t, t)), n, revenue // TIYIN_PER_SUM] for day, t, n, revenue in rows],
        summary=[(str(labels.get(t, t)), totals[t] // TIYIN_PER_SUM) for t in labels if t in totals],
    )


def moderation_load(start: date, end: date) -> Table:
    """Per day of posting: listings submitted, still waiting for review, rejected (from listing states)."""
    rows = (
        Listing.objects.exclude(status=S.DRAFT)
        .annotate(day=TruncDate("created_at"))
        .filter(day__gte=start, day__lte=end)
        .values_list("day")
        .annotate(
            submitted=Count("pk"),
            pending=Count("pk", filter=Q(status=S.PENDING)),
            rejected=Count("pk", filter=Q(status=S.REJECTED)),
        )
        .order_by("day")
    )
    return Table(
        columns=[str(_("Day")), str(_("Submitted")), str(_("Still pending")), str(_("Rejected"))],
        rows=[list(row) for row in rows],
        summary=[(str(_("Pending review now")), Listing.objects.filter(status=S.PENDING).count())],
    )


def searches_without_results(start: date, end: date) -> Table:
    """What buyers searched for and found nothing (each visitor counted once a day)."""
    terms = subject_totals(EventKind.SEARCH_NO_RESULTS, start=start, end=end, limit=500)
    return Table(columns=[str(_("Search terms")), str(_("Searches"))], rows=[[term, n] for term, n in terms])


REPORTS = {
    report.slug: report
    for report in [
        Report("new-listings", _("New listings by category and region"), _("Per day, drafts aside."), new_listings),
        Report("active-sellers", _("Active sellers"), _("Sellers who posted, per day."), active_sellers),
        Report("promotion-revenue", _("Promotion revenue"), _("Paid orders by type, per day."), promotion_revenue),
        Report("moderation-load", _("Moderation load"), _("Listings by day of posting and state."), moderation_load),
        Report(
            "search-misses",
            _("Searches without results"),
            _("Terms buyers searched for and found nothing."),
            searches_without_results,
        ),
    ]
}
