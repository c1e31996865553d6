"""Intake screening: higher apps (moderation) judge what a seller submits or changes.

``listings.services`` runs every registered screen on a submit and on every edit of a submitted
listing, inside its transaction; a screen holds the listing for review or refuses it with a
reason code. Listings never import the apps that register (docs/adr/004-layering.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import lifecycle
from .lifecycle import Action
from .models import Listing


@dataclass(frozen=True)
class ScreenVerdict:
    """A screen's verdict on a listing's content: hold it for review, or refuse it with a reason code."""

    hold: bool = False
    reject_reason: str = ""  # a ``RejectionReason`` value; implies holding

    @property
    def held(self) -> bool:
        return self.hold or bool(self.reject_reason)


# (listing with its new content, not yet saved; "submit" or "edit") -> verdict, or None for "no opinion".
ListingScreen = Callable[[Listing, str], ScreenVerdict | None]
_screens: list[ListingScreen] = []


def listing_screen_register(screen: ListingScreen) -> None:
    """Run ``screen`` on every submit and every edit of a submitted listing, inside its transaction."""
    if screen not in _screens:
        _screens.append(screen)


def screen(locked: Listing, trigger: str) -> ScreenVerdict:
    """All registered screens' verdicts in one: held if any holds, refused with the first reason given."""
    hold, reason = False, ""
    for registered in _screens:
        verdict = registered(locked, trigger)
        if verdict is None:
            continue
        hold = hold or verdict.held
        reason = reason or verdict.reject_reason
    return ScreenVerdict(hold=hold, reject_reason=reason)


def apply_screening(locked: Listing, target: str, verdict: ScreenVerdict, now: datetime | None) -> str:
    """A held listing's target is review; one the screens refuse goes from review to rejected at once."""
    if verdict.reject_reason and target == Listing.Status.PENDING:
        locked.rejection_reason = verdict.reject_reason
        return lifecycle.next_status(target, Action.REJECT, now=now)
    return target
