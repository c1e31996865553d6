"""The figures of the moderation KPIs page (reads only)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from classifieds.listings.lifecycle import Status
from classifieds.listings.models import Listing

from .models import ModerationAction, Report, Screening
from .rules import RULE_LABELS

DECISIONS = [ModerationAction.Kind.APPROVE, ModerationAction.Kind.REJECT, ModerationAction.Kind.REQUEST_CHANGES]


def moderation_kpis(*, days: int = 7, now=None) -> dict:
    """Queue length and age, median time to decision, decisions per moderator, rule hit rates (last ``days``)."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    pending = Listing.objects.filter(status=Status.PENDING).aggregate(n=Count("pk"), oldest=Min("updated_at"))
    decided = ModerationAction.objects.filter(kind__in=DECISIONS, created_at__gte=since, moderator__isnull=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM created_at - queued_at)) "
            "FROM moderation_moderationaction WHERE kind = ANY(%s) AND created_at >= %s AND queued_at IS NOT NULL "
            "AND moderator_id IS NOT NULL",
            [[str(kind) for kind in DECISIONS], since],
        )
        (median_seconds,) = cursor.fetchone()
        cursor.execute(
            "SELECT rule, count(*) FROM moderation_screening, unnest(rules) AS rule WHERE created_at >= %s GROUP BY rule",
            [since],
        )
        rule_counts = dict(cursor.fetchall())
    screened = Screening.objects.filter(created_at__gte=since).count()
    per_moderator = (
        decided.values("moderator_id", "moderator__display_name", "moderator__username")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return {
        "days": days,
        "queue_length": pending["n"],
        "queue_oldest": now - pending["oldest"] if pending["oldest"] else None,
        "median_to_decision": timedelta(seconds=float(median_seconds)) if median_seconds is not None else None,
        "per_moderator": [
            {"name": row["moderator__display_name"] or row["moderator__username"], "decisions": row["n"]}
            for row in per_moderator
        ],
        "screened": screened,
        "rule_rates": [
            {
                "rule": str(label),
                "hits": rule_counts.get(code, 0),
                "rate": round(100 * rule_counts.get(code, 0) / screened, 1) if screened else 0,
            }
            for code, label in RULE_LABELS.items()
        ],
        "sampled_open": Screening.objects.filter(sampled=True, reviewed_at=None).count(),
        "reports_open": Report.objects.filter(status=Report.Status.OPEN).count(),
    }
