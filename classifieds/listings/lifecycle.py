"""The listing lifecycle: every allowed (state, action) and the state it leads to, in ONE table.

Every service that changes ``Listing.status`` asks ``next_status`` (or, for set-based
writes, ``sources``) and nothing else; a pair missing from ``TRANSITIONS`` is refused
with ``ListingActionNotAllowed``. Who may see a listing is decided here too:
``PUBLIC`` is the set of states whose page anyone may open (the listing querysets
``public()``/``active()`` are built on it), so a state change can never make a
listing public unless the table says so.

A few moves depend on the category's pre-moderation: such a cell holds two targets
(``Move(plain, moderated)``), e.g. submitting a draft makes it active, or pending in
a moderated category. An active listing past its ``expires_at`` is, for every
action, an expired one (``effective_status``): the expiry sweep only writes down
what is already true.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ListingError(Exception):
    """A listing write the seller asked for cannot happen; ``message`` says why, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ListingActionNotAllowed(ListingError):
    """The action is not allowed in the listing's current state (a pair missing from the table)."""


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("pending review")
    ACTIVE = "active", _("active")
    REJECTED = "rejected", _("rejected")
    EXPIRED = "expired", _("expired")
    SOLD = "sold", _("sold")
    DELETED = "deleted", _("deleted")
    # Taken off the site with its seller's ban; the unban restores it (``RESTORE``).
    HIDDEN = "hidden", _("hidden (seller banned)")


class Action(StrEnum):
    # The seller's (dashboard and posting wizard); the values are the dashboard's URL slugs.
    UPDATE_DRAFT = "update_draft"
    SUBMIT = "submit"
    EDIT = "edit"
    MARK_SOLD = "sold"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    DELETE = "delete"
    # Moderators'.
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    # Reported by enough buyers: off the site until a moderator decides.
    HOLD = "hold"
    # A ban hides the seller's listings; the unban restores them (through review where moderated).
    HIDE = "hide"
    RESTORE = "restore"
    # The seller's, from the "expires soon" notice: another lifetime for a published listing.
    EXTEND = "extend"
    # The system's: the expiry sweep.
    EXPIRE = "expire"


class Move(NamedTuple):
    """The state an action leads to: ``plain`` normally, ``moderated`` in a pre-moderated category."""

    plain: Status
    moderated: Status

    def target(self, *, moderated: bool) -> Status:
        return self.moderated if moderated else self.plain


def _to(status: Status) -> Move:
    return Move(status, status)


S, A = Status, Action
# Published, or back for review where the category is pre-moderated.
_REVIEWED = Move(S.ACTIVE, S.PENDING)

TRANSITIONS: dict[tuple[Status, Action], Move] = {
    (S.DRAFT, A.UPDATE_DRAFT): _to(S.DRAFT),
    (S.DRAFT, A.SUBMIT): _REVIEWED,
    (S.DRAFT, A.DELETE): _to(S.DELETED),
    # Under review: the seller may correct it (it stays under review) or delete it; nothing
    # else, since every other seller action leads to a public page.
    (S.PENDING, A.EDIT): _to(S.PENDING),
    (S.PENDING, A.APPROVE): _to(S.ACTIVE),
    (S.PENDING, A.REJECT): _to(S.REJECTED),
    # "Fix this and send it again": the seller edits the rejected listing, which goes back to review.
    (S.PENDING, A.REQUEST_CHANGES): _to(S.REJECTED),
    (S.PENDING, A.HIDE): _to(S.HIDDEN),
    (S.PENDING, A.DELETE): _to(S.DELETED),
    (S.ACTIVE, A.EDIT): _REVIEWED,
    (S.ACTIVE, A.MARK_SOLD): _to(S.SOLD),
    (S.ACTIVE, A.DEACTIVATE): _to(S.EXPIRED),
    (S.ACTIVE, A.EXTEND): _to(S.ACTIVE),
    (S.ACTIVE, A.EXPIRE): _to(S.EXPIRED),
    (S.ACTIVE, A.REJECT): _to(S.REJECTED),  # taken down after publication
    (S.ACTIVE, A.REQUEST_CHANGES): _to(S.REJECTED),
    (S.ACTIVE, A.HIDE): _to(S.HIDDEN),
    (S.ACTIVE, A.HOLD): _to(S.PENDING),
    (S.ACTIVE, A.DELETE): _to(S.DELETED),
    # A moderator said no: whatever the seller changes goes through review again.
    (S.REJECTED, A.EDIT): _to(S.PENDING),
    (S.REJECTED, A.DELETE): _to(S.DELETED),
    # An expired page is public: its text may only change through review in a moderated category.
    (S.EXPIRED, A.EDIT): Move(S.EXPIRED, S.PENDING),
    (S.EXPIRED, A.REACTIVATE): _REVIEWED,
    (S.EXPIRED, A.MARK_SOLD): _to(S.SOLD),
    (S.EXPIRED, A.REJECT): _to(S.REJECTED),
    (S.EXPIRED, A.DELETE): _to(S.DELETED),
    (S.EXPIRED, A.HIDE): _to(S.HIDDEN),
    # Sold is final for the seller (its public page must not change any more).
    (S.SOLD, A.REJECT): _to(S.REJECTED),
    (S.SOLD, A.DELETE): _to(S.DELETED),
    # Deleted is final.
    # Unban: published again (an expired one stays past its expiry, so it is expired again), or back
    # to review where the category is pre-moderated or it was waiting for review when it was hidden.
    (S.HIDDEN, A.RESTORE): _REVIEWED,
    (S.HIDDEN, A.DELETE): _to(S.DELETED),
}

# States whose page anyone may open (active ones also appear in search while not past expiry).
PUBLIC: frozenset[Status] = frozenset({S.ACTIVE, S.EXPIRED, S.SOLD})
# What the seller can do from the dashboard and the wizard.
SELLER_ACTIONS: frozenset[Action] = frozenset(
    {A.UPDATE_DRAFT, A.SUBMIT, A.EDIT, A.MARK_SOLD, A.DEACTIVATE, A.REACTIVATE, A.DELETE}
)

_REFUSALS = {
    A.UPDATE_DRAFT: lambda: gettext("Only a draft is saved as you type."),
    A.EDIT: lambda: gettext("This listing cannot be edited."),
    A.REACTIVATE: lambda: gettext("Only an expired listing can be reactivated."),
    A.MARK_SOLD: lambda: gettext("Only a published or expired listing can be marked as sold."),
    A.DEACTIVATE: lambda: gettext("Only a published listing can be deactivated."),
    A.EXTEND: lambda: gettext("Only a published listing can be extended."),
}


def effective_status(status: str, expires_at: datetime | None, now: datetime | None = None) -> Status:
    """The state an action sees: an active listing past its expiry is an expired one."""
    status = Status(status)
    if status == S.ACTIVE and expires_at is not None and expires_at <= (now or timezone.now()):
        return S.EXPIRED
    return status


def is_allowed(status: str, action: Action) -> bool:
    return (Status(status), action) in TRANSITIONS


def next_status(
    status: str, action: Action, *, expires_at: datetime | None = None, moderated=False, now: datetime | None = None
) -> Status:
    """Where ``action`` takes a listing in ``status``; raises ``ListingActionNotAllowed`` if it may not.

    ``moderated``: a bool or a callable returning it (asked only when the move depends on it).
    """
    current = effective_status(status, expires_at, now)
    move = TRANSITIONS.get((current, action))
    if move is None:
        refusal = _REFUSALS.get(action)
        raise ListingActionNotAllowed(
            refusal() if refusal else gettext("This cannot be done with the listing in its current state.")
        )
    if move.plain == move.moderated:
        return move.plain
    return move.target(moderated=bool(moderated() if callable(moderated) else moderated))


def sources(action: Action) -> set[Status]:
    """The stored states a set-based write of ``action`` may pick rows from."""
    return {status for status, act in TRANSITIONS if act == action}


def bulk_target(action: Action) -> Status:
    """The one state a set-based write of ``action`` leads to, from whichever of its ``sources``."""
    (target,) = {move.target(moderated=m) for (_s, act), move in TRANSITIONS.items() if act == action for m in (0, 1)}
    return target


def can(listing, action: Action, *, now: datetime | None = None) -> bool:
    """Whether ``action`` is allowed on ``listing`` now (its effective state)."""
    return (effective_status(listing.status, listing.expires_at, now), action) in TRANSITIONS


def allowed_actions(listing, *, among: Iterable[Action] = SELLER_ACTIONS, now: datetime | None = None) -> set[str]:
    """The actions of ``among`` allowed on ``listing`` now (what the dashboard offers)."""
    return {str(action) for action in among if can(listing, action, now=now)}


def requires_moderation(category) -> bool:
    """Pre-moderation set on the category or any ancestor applies to the whole subtree."""
    return any(node.requires_moderation for node in category.ancestors(include_self=True))
