"""Moderators' moves besides approve and reject: ask for changes, hold after reports, hide with a ban, restore.

Called by moderation's services inside their transactions, through the lifecycle table like every
other move; the search index follows through the outbox.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from classifieds.audit.services import event_record, events_record

from . import lifecycle
from .lifecycle import Action, ListingError
from .models import Listing
from .policies import category_requires_moderation
from .services import LISTING_SUBJECT, listings_changed


def _move(listing: Listing, action: Action, *, actor, topic: str, reason: str, now: datetime | None) -> Listing:
    locked = Listing.objects.select_for_update(of=("self",)).select_related("category").get(pk=listing.pk)
    previous = locked.status
    locked.status = lifecycle.next_status(
        previous,
        action,
        expires_at=locked.expires_at,
        moderated=lambda: category_requires_moderation(locked.category),
        now=now,
    )
    if action == Action.REQUEST_CHANGES:
        locked.rejection_reason = reason
    locked.save()
    event_record(
        topic=topic, subject=locked, actor=actor, payload={"from": previous, "to": locked.status, "reason": reason}
    )
    listings_changed(listing_ids=[locked.pk], actor=actor, reason=topic)
    return locked


@transaction.atomic
def listing_request_changes(*, listing: Listing, actor, reason: str, now: datetime | None = None) -> Listing:
    """A moderator sends a listing back to its seller to fix (``reason`` says what); an edit resubmits it."""
    reason = (reason or "").strip()
    if not reason:
        raise ListingError(gettext("Say what the seller should change."))
    return _move(
        listing, Action.REQUEST_CHANGES, actor=actor, topic="listing.changes_requested", reason=reason, now=now
    )


@transaction.atomic
def listing_hold_for_review(*, listing: Listing, actor, reason: str, now: datetime | None = None) -> Listing:
    """Take a published listing off the site until a moderator looks at it (e.g. after buyers' reports)."""
    return _move(listing, Action.HOLD, actor=actor, topic="listing.held", reason=reason, now=now)


@transaction.atomic
def listings_hide_for_banned_owner(*, user, actor) -> dict[int, str]:
    """The seller is banned: every listing of theirs a buyer could see or that awaits review is hidden.

    Set-based through the lifecycle (``HIDE``); returns {listing id: the state it was in}, so the
    unban can restore it.
    """
    rows = dict(
        Listing.objects.select_for_update()
        .filter(owner=user, status__in=lifecycle.sources(Action.HIDE))
        .values_list("pk", "status")
    )
    if rows:
        target = lifecycle.bulk_target(Action.HIDE)
        Listing.objects.filter(pk__in=list(rows)).update(status=target, updated_at=timezone.now())
        events_record(
            topic="listing.hidden",
            subject_type=LISTING_SUBJECT,
            subject_ids=list(rows),
            actor=actor,
            payload={"to": target, "reason": "owner banned"},
        )
        listings_changed(listing_ids=list(rows), actor=actor, reason="owner banned")
    return rows


@transaction.atomic
def listings_restore_for_unbanned_owner(
    *, user, actor, held_ids: set[int] | frozenset[int] = frozenset(), now: datetime | None = None
) -> dict[int, str]:
    """The ban is lifted: hidden listings come back (``RESTORE``); returns {listing id: its new state}.

    ``held_ids``: listings that were waiting for review when hidden; they go back to review, as do
    those of a pre-moderated category.
    """
    restored: dict[int, str] = {}
    hidden = Listing.objects.select_for_update(of=("self",)).select_related("category")
    for locked in hidden.filter(owner=user, status=Listing.Status.HIDDEN).order_by("pk"):
        previous = locked.status
        locked.status = lifecycle.next_status(
            previous,
            Action.RESTORE,
            expires_at=locked.expires_at,
            moderated=lambda listing=locked: listing.pk in held_ids or category_requires_moderation(listing.category),
            now=now,
        )
        locked.save()
        event_record(
            topic="listing.restored", subject=locked, actor=actor, payload={"from": previous, "to": locked.status}
        )
        listings_changed(listing_ids=[locked.pk], actor=actor, reason="listing.restored")
        restored[locked.pk] = locked.status
    return restored
