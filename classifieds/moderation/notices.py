"""What moderation tells sellers and reporters, through ``notifications.notify()``.

Texts live with the notification kinds; here is only the context, in the recipient's language
(the localized reason code, links under the right language prefix). Moderator notes never go out.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from classifieds.listings.models import Listing, RejectionReason
from classifieds.notifications.services import notify, recipient_language

from .models import ModerationAction, Report

Kind = ModerationAction.Kind

# Moderation action -> the notice kind its seller gets.
SELLER_KINDS = {
    Kind.APPROVE: "listing.approved",
    Kind.REJECT: "listing.rejected",
    Kind.REQUEST_CHANGES: "listing.changes_requested",
    Kind.BAN: "account.banned",
}


def _reason_label(code: str) -> str:
    return str(RejectionReason(code).label) if code in RejectionReason.values else ""


def seller_tell(*, action: ModerationAction, listing: Listing | None) -> None:
    """Tell the seller about ``action`` (once per decision), in their language; the note stays behind."""
    kind = SELLER_KINDS.get(action.kind)
    if kind is None:
        return
    seller = action.seller
    with translation.override(recipient_language(seller)):
        context: dict = {"reason": _reason_label(action.reason)}
        if listing is not None:
            context.update(listing_id=listing.pk, title=listing.title)
            if action.kind == Kind.APPROVE:
                context["url"] = listing.get_absolute_url()
            elif action.kind == Kind.REJECT:
                context["url"] = f"{reverse('web:seller_listings')}?tab=rejected"
            else:
                context["url"] = f"{reverse('web:post_details')}?draft={listing.pk}"
    notify(
        user=seller,
        kind=kind,
        context=context,
        subject=f"listing:{listing.pk}" if listing is not None else f"user:{seller.pk}",
        dedupe_key=f"moderation:{action.pk}",
    )


def reporters_tell(*, reports: list[Report], listing: Listing, action: ModerationAction) -> None:
    """Tell each account that reported ``listing`` that moderators looked at it (on-site; anonymous ones cannot be)."""
    told: set[int] = set()
    for report in reports:
        if report.reporter_id is None or report.reporter_id in told:
            continue
        told.add(report.reporter_id)
        with translation.override(recipient_language(report.reporter)):
            if action.kind in (Kind.REJECT, Kind.BAN):
                outcome = gettext("the listing was taken down. Thank you!")
            else:
                outcome = gettext("we found no breach of the rules. Thank you for telling us.")
        notify(
            user=report.reporter,
            kind="report.resolved",
            context={"listing_id": listing.pk, "title": listing.title, "outcome": outcome},
            subject=f"listing:{listing.pk}",
            dedupe_key=f"report:{report.pk}:resolved",
        )
