"""Moderation writes: screening on intake, moderator decisions, bans, reports, price statistics.

Every decision goes through a listings service (the lifecycle table) and writes an
immutable ``ModerationAction``; the search index follows through the outbox.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from classifieds.accounts import limits
from classifieds.audit.services import event_record
from classifieds.listings import moderation as listing_moves
from classifieds.listings import services as listings
from classifieds.listings.lifecycle import ListingError, Status
from classifieds.listings.models import Listing, RejectionReason
from classifieds.listings.policies import category_requires_moderation
from classifieds.listings.screening import ScreenVerdict

from .models import CategoryPriceStat, ModerationAction, ModerationSettings, Report, Route, Screening
from .notices import reporters_tell, seller_tell
from .rules import Context, run_rules

Kind = ModerationAction.Kind
ACT_PERMISSION = "moderation.add_moderationaction"


class ModerationError(Exception):
    """A decision or report that cannot happen; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Intake ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Routing:
    route: Route
    score: int
    reason: str


def route_for(*, hits, settings: ModerationSettings, sensitive: bool, sample_draw: float | None = None) -> Routing:
    """Where the rule hits send a listing: reject, hold, publish and sample, or publish."""
    score = sum(hit.score for hit in hits)
    strongest = max(hits, key=lambda hit: hit.score).reason if hits else ""
    if score >= settings.reject_score:
        return Routing(Route.REJECT, score, strongest or RejectionReason.OTHER)
    if sensitive or score >= settings.hold_score:
        return Routing(Route.HOLD, score, strongest)
    draw = random.random() if sample_draw is None else sample_draw  # noqa: S311 - sampling, not security
    if draw * 100 < settings.sample_percent:
        return Routing(Route.SAMPLE, score, strongest)
    return Routing(Route.PUBLISH, score, strongest)


def listing_screen(listing: Listing, trigger: str) -> ScreenVerdict:
    """Run every intake rule on ``listing`` and record the outcome; registered with listings (submit, edit)."""
    settings = ModerationSettings.load()
    context = Context(listing=listing, settings=settings)
    hits = run_rules(context)
    routing = route_for(hits=hits, settings=settings, sensitive=category_requires_moderation(listing.category))
    Screening.objects.create(
        listing=listing,
        trigger=trigger,
        route=routing.route,
        score=routing.score,
        reason=routing.reason if routing.route in (Route.REJECT, Route.HOLD) else "",
        rules=sorted({hit.rule for hit in hits}),
        hits=[hit.as_json() for hit in hits],
        sampled=routing.route == Route.SAMPLE,
        text_digest=context.text_digest,
    )
    if routing.route == Route.REJECT:
        return ScreenVerdict(reject_reason=routing.reason)
    return ScreenVerdict(hold=routing.route == Route.HOLD)


def price_stats_refresh() -> int:
    """Recompute every category's median and MAD of active prices in sum (one query); returns categories."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH priced AS (
                SELECT category_id, price_uzs FROM listings_listing
                WHERE status = 'active' AND price_uzs > 0
            ), medians AS (
                SELECT category_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY price_uzs) AS median,
                       count(*) AS n
                FROM priced GROUP BY category_id
            )
            SELECT p.category_id, m.median, m.n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(p.price_uzs - m.median)) AS mad
            FROM priced p JOIN medians m USING (category_id)
            GROUP BY p.category_id, m.median, m.n
            """
        )
        rows = cursor.fetchall()
    now = timezone.now()
    stats = [
        CategoryPriceStat(
            category_id=category_id, median=round(median), mad=round(mad), sample_size=n, refreshed_at=now
        )
        for category_id, median, n, mad in rows
    ]
    with transaction.atomic():
        CategoryPriceStat.objects.exclude(category_id__in=[row.category_id for row in stats]).delete()
        CategoryPriceStat.objects.bulk_create(
            stats,
            update_conflicts=True,
            unique_fields=["category"],
            update_fields=["median", "mad", "sample_size", "refreshed_at"],
        )
    return len(stats)


# --- Decisions ------------------------------------------------------------------------------------------


def _require_moderator(moderator) -> None:
    if moderator is None or not moderator.has_perm(ACT_PERMISSION):
        raise PermissionDenied(gettext("Only moderators can make moderation decisions."))


def _record(*, kind: str, listing: Listing | None, seller, moderator, before: str, after: str, reason="", note=""):
    action = ModerationAction.objects.create(
        kind=kind,
        listing=listing,
        seller=seller,
        moderator=moderator,
        reason=reason,
        note=note,
        status_before=before,
        status_after=after,
        queued_at=listing.updated_at if listing is not None else None,
    )
    Screening.objects.filter(listing=listing, sampled=True, reviewed_at=None).update(reviewed_at=action.created_at)
    return action


def _reason_code(reason: str) -> str:
    if reason not in RejectionReason.values:
        raise ModerationError(gettext("Choose a reason from the list."))
    return reason


def _decide(service, kind: str, *, listing: Listing, moderator, reason: str = "", note: str = "", **kwargs):
    _require_moderator(moderator)
    before = Listing.objects.filter(pk=listing.pk).values_list("status", "updated_at").first()
    if before is None:
        raise ModerationError(gettext("This listing no longer exists."))
    try:
        moved = service(listing=listing, actor=moderator, **({"reason": reason} if reason else {}), **kwargs)
    except ListingError as exc:
        raise ModerationError(exc.message) from exc
    listing.updated_at = before[1]
    return _record(
        kind=kind,
        listing=listing,
        seller=moved.owner,
        moderator=moderator,
        before=before[0],
        after=moved.status,
        reason=reason,
        note=note,
    ), moved


@transaction.atomic
def listing_moderate_approve(*, listing: Listing, moderator, note: str = "") -> ModerationAction:
    """Publish a listing under review (its whole lifetime starts now); its open reports are closed."""
    action, moved = _decide(listings.listing_approve, Kind.APPROVE, listing=listing, moderator=moderator, note=note)
    seller_tell(action=action, listing=moved)
    reporters_tell(reports=_reports_close(listing=moved, moderator=moderator), listing=moved, action=action)
    return action


@transaction.atomic
def listing_moderate_reject(*, listing: Listing, moderator, reason: str, note: str = "") -> ModerationAction:
    """Refuse a listing with a reason code the seller reads in their language; ``note`` stays with moderators."""
    code = _reason_code(reason)
    action, moved = _decide(
        listings.listing_reject, Kind.REJECT, listing=listing, moderator=moderator, reason=code, note=note
    )
    seller_tell(action=action, listing=moved)
    reporters_tell(reports=_reports_close(listing=moved, moderator=moderator), listing=moved, action=action)
    return action


@transaction.atomic
def listing_moderate_request_changes(*, listing: Listing, moderator, reason: str, note: str = "") -> ModerationAction:
    """Send a listing back to its seller to fix; their edit resubmits it through the rules."""
    code = _reason_code(reason)
    action, moved = _decide(
        listing_moves.listing_request_changes,
        Kind.REQUEST_CHANGES,
        listing=listing,
        moderator=moderator,
        reason=code,
        note=note,
    )
    seller_tell(action=action, listing=moved)
    return action


@transaction.atomic
def sample_mark_checked(*, listing: Listing, moderator) -> ModerationAction:
    """A sampled listing was looked at and is fine: it leaves the sampling queue."""
    _require_moderator(moderator)
    return _record(
        kind=Kind.SAMPLE_OK,
        listing=listing,
        seller=listing.owner,
        moderator=moderator,
        before=listing.status,
        after=listing.status,
    )


@transaction.atomic
def seller_ban(*, seller, moderator, reason: str, note: str = "", now: datetime | None = None) -> ModerationAction:
    """Ban a seller: no sign-in, no codes, every listing of theirs hidden (the unban restores them)."""
    _require_moderator(moderator)
    code = _reason_code(reason)
    locked = get_user_model().objects.select_for_update().get(pk=seller.pk)
    if locked.banned_at is not None:
        raise ModerationError(gettext("This seller is already banned."))
    if locked.is_staff:
        raise ModerationError(gettext("Staff accounts cannot be banned here."))
    locked.banned_at = now or timezone.now()
    locked.ban_reason = code
    locked.save(update_fields=["banned_at", "ban_reason"])
    seller.banned_at, seller.ban_reason = locked.banned_at, locked.ban_reason
    hidden = listing_moves.listings_hide_for_banned_owner(user=locked, actor=moderator)
    ModerationAction.objects.bulk_create(
        [
            ModerationAction(
                kind=Kind.BAN,
                listing_id=pk,
                seller=locked,
                moderator=moderator,
                reason=code,
                note=note,
                status_before=before,
                status_after=Status.HIDDEN,
            )
            for pk, before in hidden.items()
        ]
    )
    event_record(topic="account.banned", subject=locked, actor=moderator, payload={"reason": code})
    action = _record(
        kind=Kind.BAN, listing=None, seller=locked, moderator=moderator, before="", after="", reason=code, note=note
    )
    seller_tell(action=action, listing=None)
    for listing in Listing.objects.filter(pk__in=_open_report_listings(seller=locked)):
        reporters_tell(reports=_reports_close(listing=listing, moderator=moderator), listing=listing, action=action)
    return action


@transaction.atomic
def seller_unban(*, seller, moderator, note: str = "") -> ModerationAction:
    """Lift a ban: the seller may sign in again and the listings the ban hid come back."""
    _require_moderator(moderator)
    locked = get_user_model().objects.select_for_update().get(pk=seller.pk)
    if locked.banned_at is None:
        raise ModerationError(gettext("This seller is not banned."))
    banned_at = locked.banned_at
    locked.banned_at, locked.ban_reason = None, ""
    locked.save(update_fields=["banned_at", "ban_reason"])
    seller.banned_at, seller.ban_reason = None, ""
    held = set(
        ModerationAction.objects.filter(
            seller=locked, kind=Kind.BAN, status_before=Status.PENDING, created_at__gte=banned_at, listing__isnull=False
        ).values_list("listing_id", flat=True)
    )
    restored = listing_moves.listings_restore_for_unbanned_owner(user=locked, actor=moderator, held_ids=held)
    ModerationAction.objects.bulk_create(
        [
            ModerationAction(
                kind=Kind.UNBAN,
                listing_id=pk,
                seller=locked,
                moderator=moderator,
                note=note,
                status_before=Status.HIDDEN,
                status_after=after,
            )
            for pk, after in restored.items()
        ]
    )
    event_record(topic="account.unbanned", subject=locked, actor=moderator)
    return _record(kind=Kind.UNBAN, listing=None, seller=locked, moderator=moderator, before="", after="", note=note)


# --- Reports ---------------------------------------------------------------------------------------------


class ReportDuplicate(ModerationError):
    pass


def report_visitor(*, user, session_key: str) -> str:
    """Who is reporting: an account, or a browser session for an anonymous visitor."""
    return f"user:{user.pk}" if user is not None else f"session:{session_key}"


def _report_limits(*, visitor: str, ip: str, signed_in: bool) -> list[str]:
    from django.conf import settings

    kind = "signed_in" if signed_in else "anonymous"
    rates = settings.REPORT_LIMITS[kind]
    return limits.consume(
        [
            (limits.Rate(f"report-{kind}-visitor-day", int(rates["per_visitor_day"]), limits.DAY), visitor),
            (limits.Rate(f"report-{kind}-ip-hour", int(rates["per_ip_hour"]), limits.HOUR), ip),
        ]
    )


@transaction.atomic
def report_create(
    *, seller, listing: Listing | None, reporter, visitor: str, ip: str, reason: str, text: str = ""
) -> Report:
    """File a report; one open report per reporter per listing (or seller); rate-limited (``limits.Limited``).

    Enough distinct reporters of a listing buyers can see take it off the site until a moderator decides.
    """
    if reporter is not None and reporter.pk == seller.pk:
        raise ModerationError(gettext("You cannot report your own listing."))
    open_reports = Report.objects.filter(seller=seller, listing=listing, status=Report.Status.OPEN)
    if open_reports.filter(visitor=visitor).exists():
        raise ReportDuplicate(gettext("You have already reported this. Moderators will look at it."))
    _report_limits(visitor=visitor, ip=ip, signed_in=reporter is not None)
    report = Report.objects.create(
        seller=seller, listing=listing, reporter=reporter, visitor=visitor, reason=reason, text=text.strip()
    )
    if listing is not None:
        reporters = open_reports.values("visitor").distinct().count()
        locked = Listing.objects.select_for_update().filter(pk=listing.pk).first()
        threshold = ModerationSettings.load().report_hide_threshold
        if locked is not None and locked.status == Status.ACTIVE and threshold and reporters >= threshold:
            moved = listing_moves.listing_hold_for_review(listing=locked, actor=None, reason="reports")
            _record(
                kind=Kind.HIDE_REPORTED,
                listing=moved,
                seller=seller,
                moderator=None,
                before=Status.ACTIVE,
                after=moved.status,
            )
    return report


def _open_report_listings(*, seller) -> list[int]:
    return list(
        Report.objects.filter(seller=seller, status=Report.Status.OPEN, listing__isnull=False)
        .values_list("listing_id", flat=True)
        .distinct()
    )


def _reports_close(*, listing: Listing, moderator) -> list[Report]:
    """Close the open reports of ``listing``; returns them (their reporters are told)."""
    closing = list(
        Report.objects.select_for_update(of=("self",))
        .select_related("reporter")
        .filter(listing=listing, status=Report.Status.OPEN)
    )
    if closing:
        Report.objects.filter(pk__in=[r.pk for r in closing]).update(
            status=Report.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=moderator
        )
    return closing


@transaction.atomic
def reports_resolve(*, listing: Listing, moderator, note: str = "") -> int:
    """The reports of ``listing`` were looked at and nothing more is done: close them all."""
    _require_moderator(moderator)
    closed = _reports_close(listing=listing, moderator=moderator)
    action = _record(
        kind=Kind.RESOLVE_REPORTS,
        listing=listing,
        seller=listing.owner,
        moderator=moderator,
        before=listing.status,
        after=listing.status,
        note=note,
    )
    reporters_tell(reports=closed, listing=listing, action=action)
    return len(closed)
