"""Writes on listings: attributes, counters, the posting wizard, every lifecycle move, expiry.

The exchange rate their prices are compared through is written in ``rates``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from classifieds.audit.services import event_record, events_record, outbox_publish
from classifieds.taxonomy.models import Category
from classifieds.taxonomy.schema import CleanedValue, validate_attribute_values

from . import lifecycle, notices
from .lifecycle import Action, ListingActionNotAllowed, ListingError
from .models import Listing, ListingAttributeValue
from .policies import (
    category_requires_moderation,
    free_listings_left,
    listing_problems,
)
from .screening import apply_screening, screen

logger = logging.getLogger(__name__)

# Outbox topics other apps consume (``audit.services.outbox_consumer_register``): search keeps its
# index in step with them. The reindex topic keeps its historical name (stored rows, migration 0006).
LISTINGS_CHANGED = "search.reindex"
LISTINGS_REPRICED = "listings.repriced"
LISTING_SUBJECT = "listings.listing"


def listings_changed(*, listing_ids, actor=None, reason: str = "") -> list[int]:
    """Buyers may find these listings differently now: record it in the outbox (the index follows after commit).

    Every app that changes what a listing shows in search (photos, promotions, an account
    deletion) says so through here, inside its transaction. Returns the event ids.
    """
    ids = sorted({int(pk) for pk in listing_ids})
    if not ids:
        return []
    return outbox_publish(
        topic=LISTINGS_CHANGED,
        subject_type=LISTING_SUBJECT,
        subject_ids=ids,
        actor=actor,
        payload={"reason": reason} if reason else {},
    )


def _refuse_banned(owner) -> None:
    if getattr(owner, "banned_at", None) is not None:
        raise ListingError(gettext("Your account is blocked: you cannot post or change listings."))


@transaction.atomic
def listing_set_attributes(
    *, listing: Listing, values: Mapping[str, Any], partial: bool = False
) -> list[ListingAttributeValue]:
    """Replace the listing's attribute values with ``values`` validated against its category.

    Raises ``django.core.exceptions.ValidationError`` keyed by attribute key;
    nothing is written when any value is invalid. ``partial``: a draft, whose
    required values may still be missing.
    """
    cleaned: list[CleanedValue] = validate_attribute_values(listing.category, values, partial=partial)
    ListingAttributeValue.objects.filter(listing=listing).delete()
    rows = [
        ListingAttributeValue(
            listing=listing,
            attribute=value.attribute,
            option=value.option,
            value_text=value.text,
            value_number=value.number,
            value_bool=value.boolean,
        )
        for value in cleaned
    ]
    created = ListingAttributeValue.objects.bulk_create(rows)
    if listing.status != Listing.Status.DRAFT:  # buyers never find a draft
        listings_changed(listing_ids=[listing.pk], reason="attributes")
    return created


def listings_favorites_adjust(*, listing_ids: list[int], delta: int) -> None:
    """Keep ``favorites_count`` equal to the listings' favorites (never below zero): one UPDATE."""
    if listing_ids:
        Listing.objects.filter(pk__in=listing_ids).update(favorites_count=Greatest(F("favorites_count") + delta, 0))


def listing_bump(*, listing: Listing, now: datetime) -> None:
    """A paid bump: the listing counts as fresh from ``now`` (it sorts first by date again)."""
    Listing.objects.filter(pk=listing.pk).update(refreshed_at=now, updated_at=now)


def listing_set_promoted(*, listing_id: int, until: datetime | None) -> None:
    """Paid visibility runs until ``until`` (None: none): relevance boosts the listing until then.

    Called by promotions, inside its transaction, whenever a TOP or spotlight starts, ends or is
    cancelled; the caller also calls ``listings_changed`` so the index follows.
    """
    Listing.objects.filter(pk=listing_id).update(promoted_until=until)


def listing_photos_changed(*, listing: Listing, actor=None) -> None:
    """Cards and the index show the cover and the photo count: both follow a change of photos."""
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    if listing.status != Listing.Status.DRAFT:
        listings_changed(listing_ids=[listing.pk], actor=actor, reason="photos")


def listing_record_view(*, listing: Listing) -> None:
    """Count a detail page view (one UPDATE, no read-modify-write race)."""
    Listing.objects.filter(pk=listing.pk).update(views_count=F("views_count") + 1)


def listing_reveal_phone(*, listing: Listing, already_revealed: bool) -> bool:
    """Count a phone reveal unless this visitor already revealed it. Returns whether counted."""
    if already_revealed:
        return False
    Listing.objects.filter(pk=listing.pk).update(phone_reveals_count=F("phone_reveals_count") + 1)
    return True


# --- Posting and managing one's listings (the wizard and the seller's dashboard) -------------

# What the details step writes on a draft; anything else in ``fields`` is ignored.
DRAFT_FIELDS = frozenset(
    {
        "title",
        "description",
        "price_type",
        "price",
        "currency",
        "price_period",
        "negotiable",
        "condition",
        "location",
        "contact_phone",
    }
)


class ListingIncomplete(ListingError):
    """Submitting a draft that misses something required; ``errors`` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(gettext("Fill in the highlighted fields before publishing."))
        self.errors = errors


class FreeListingLimitReached(ListingError):
    pass


@transaction.atomic
def listing_create_draft(*, owner, category: Category, language: str = "ru") -> Listing:
    """Start a listing in ``category``: a draft row that every later step of the wizard saves into."""
    if not category.is_leaf:
        raise ListingError(gettext("Choose a more specific category."))
    # A double click on the category is one draft: an untouched one from a moment ago is reused.
    recent = (
        Listing.objects.filter(
            owner=owner,
            category=category,
            status=Listing.Status.DRAFT,
            title="",
            created_at__gte=timezone.now() - timedelta(minutes=2),
        )
        .order_by("-pk")
        .first()
    )
    if recent is not None and not recent.photos.exists():
        return recent
    listing = Listing.objects.create(
        owner=owner,
        category=category,
        status=Listing.Status.DRAFT,
        title="",
        slug="item",
        description="",
        price=None,
        price_period=category.default_price_period,
        contact_phone=getattr(owner, "phone", "") or "",
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    event_record(topic="listing.draft_created", subject=listing, actor=owner, payload={"category": category.pk})
    return listing


@transaction.atomic
def listing_change_category(*, listing: Listing, category: Category, actor) -> Listing:
    """Move a draft to another leaf category; values of attributes the new category lacks are dropped."""
    if not lifecycle.is_allowed(listing.status, Action.UPDATE_DRAFT):
        raise ListingActionNotAllowed(gettext("The category of a published listing cannot be changed."))
    if not category.is_leaf:
        raise ListingError(gettext("Choose a more specific category."))
    listing.category = category
    _keep_price_period_in(listing, category)
    listing.save(update_fields=["category", "price_period", "updated_at"])
    keep = [attribute.pk for attribute in category.schema()]
    ListingAttributeValue.objects.filter(listing=listing).exclude(attribute_id__in=keep).delete()
    event_record(topic="listing.category_changed", subject=listing, actor=actor, payload={"category": category.pk})
    return listing


@transaction.atomic
def listing_update_draft(
    *, listing: Listing, fields: Mapping[str, Any], attributes: Mapping[str, Any] | None, actor
) -> Listing:
    """Save what the seller has typed so far on a draft; nothing is required yet (see ``listing_problems``).

    ``attributes`` replaces the attribute values (validated, but missing required ones allowed).
    """
    lifecycle.next_status(listing.status, Action.UPDATE_DRAFT)
    _apply_fields(listing, fields)
    listing.save()
    if attributes is not None:
        listing_set_attributes(listing=listing, values=attributes, partial=True)
    return listing


def _keep_price_period_in(listing: Listing, category: Category) -> None:
    """A price period the category does not offer becomes its default (rent per month, a one-off price...)."""
    if listing.price_period not in category.price_period_choices:
        listing.price_period = category.default_price_period


def _apply_fields(listing: Listing, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name in DRAFT_FIELDS:
            setattr(listing, name, value)
    if listing.price_type != Listing.PriceType.AMOUNT:
        listing.price = None
    _keep_price_period_in(listing, listing.category)
    listing.title = (listing.title or "").strip()
    listing.slug = listing.make_slug()


@transaction.atomic
def listing_submit(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """Publish a draft: ``pending`` under pre-moderation, else ``active``, until now + the category's lifetime.

    Idempotent: submitting a listing that is no longer a draft (a double click,
    a resent form) changes nothing and returns it as it is. Raises
    ``ListingIncomplete`` or ``FreeListingLimitReached``.
    """
    locked = _locked(listing)
    if locked.status != Listing.Status.DRAFT:
        return locked
    problems = listing_problems(locked)
    if problems:
        raise ListingIncomplete(problems)
    now = now or timezone.now()
    # One seller's submissions are serialized, so two tabs cannot both take the last free slot.
    type(locked.owner).objects.select_for_update().filter(pk=locked.owner_id).first()
    limit, used, policy = free_listings_left(
        owner=locked.owner, category=locked.category, now=now, exclude_pk=locked.pk
    )
    if limit is not None and used >= limit:
        raise FreeListingLimitReached(
            ngettext(
                "You have already posted %(used)s free listing in “%(category)s” in the last 30 days; the limit is %(limit)s. Deactivate an old listing or wait until it is 30 days old.",
                "You have already posted %(used)s free listings in “%(category)s” in the last 30 days; the limit is %(limit)s. Deactivate an old listing or wait until it is 30 days old.",
                used,
            )
            % {"used": used, "limit": limit, "category": policy.name}
        )
    _refuse_banned(locked.owner)
    locked.rejection_reason = ""
    verdict = screen(locked, "submit")
    locked.status = apply_screening(locked, _next(locked, Action.SUBMIT, now, hold=verdict.held), verdict, now)
    locked.published_at = locked.refreshed_at = now
    locked.expires_at = now + timedelta(days=locked.category.listing_lifetime_days or 30)
    locked.save()
    _drop_failed_photos(locked)
    event_record(topic="listing.submitted", subject=locked, actor=actor, payload={"status": locked.status})
    listings_changed(listing_ids=[locked.pk], actor=actor, reason="submitted")
    return locked


def _drop_failed_photos(listing: Listing) -> None:
    from classifieds.media.models import ListingPhoto

    ListingPhoto.objects.filter(listing=listing, status=ListingPhoto.Status.FAILED).delete()


def _locked(listing: Listing) -> Listing:
    """The listing's row, locked for this transaction: a state change reads the state it changes."""
    return Listing.objects.select_for_update(of=("self",)).select_related("category", "location").get(pk=listing.pk)


def _next(locked: Listing, action: Action, now: datetime | None = None, *, hold: bool = False) -> str:
    """The state ``action`` leads to, from the lifecycle table (raises ``ListingActionNotAllowed``).

    ``hold``: the intake screens want it reviewed, as if its category were pre-moderated.
    """
    return lifecycle.next_status(
        locked.status,
        action,
        expires_at=locked.expires_at,
        moderated=lambda: hold or category_requires_moderation(locked.category),
        now=now,
    )


def _moved(locked: Listing, previous: str, *, actor, topic: str, reason: str = "") -> Listing:
    """Save a state change with its audit event; the search index follows after commit."""
    locked.save()
    payload = {"from": previous, "to": locked.status}
    if reason:
        payload["reason"] = reason
    event_record(topic=topic, subject=locked, actor=actor, payload=payload)
    listings_changed(listing_ids=[locked.pk], actor=actor, reason=topic)
    return locked


@transaction.atomic
def listing_edit(
    *, listing: Listing, fields: Mapping[str, Any], attributes: Mapping[str, Any], actor, now: datetime | None = None
) -> Listing:
    """Change a submitted listing; under pre-moderation (and after a rejection) it goes back to review."""
    locked = _locked(listing)
    previous = locked.status
    _next(locked, Action.EDIT, now)  # refused before anything is written
    _refuse_banned(locked.owner)
    before = notices.PriceSnapshot.of(locked)
    _apply_fields(locked, fields)
    listing_set_attributes(listing=locked, values=attributes)
    problems = listing_problems(locked)
    if problems:
        raise ListingIncomplete(problems)
    verdict = screen(locked, "edit")
    target = _next(locked, Action.EDIT, now, hold=verdict.held)
    if target == Listing.Status.PENDING:
        locked.rejection_reason = ""
    locked.status = apply_screening(locked, target, verdict, now)
    locked.save()
    event_record(
        topic="listing.edited", subject=locked, actor=actor, payload={"from": previous, "status": locked.status}
    )
    listings_changed(listing_ids=[locked.pk], actor=actor, reason="edited")
    notices.price_drop_publish(listing=locked, before=before, actor=actor)
    return locked


@transaction.atomic
def listing_content_changed(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """Buyers will see something new the form did not save (a photo added): the same move as an edit.

    Under pre-moderation a published listing goes back to review, so a new photo is never
    public unreviewed; raises ``ListingActionNotAllowed`` where an edit is not allowed (sold).
    """
    locked = _locked(listing)
    if locked.status == Listing.Status.DRAFT:
        return locked
    _next(locked, Action.EDIT, now)
    verdict = screen(locked, "edit")
    previous, target = locked.status, _next(locked, Action.EDIT, now, hold=verdict.held)
    if target == previous:
        return locked
    if target == Listing.Status.PENDING:
        locked.rejection_reason = ""
    locked.status = apply_screening(locked, target, verdict, now)
    return _moved(locked, previous, actor=actor, topic="listing.edited")


@transaction.atomic
def listing_mark_sold(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """The seller sold the item: it leaves search, its page says so."""
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.MARK_SOLD, now)
    return _moved(locked, previous, actor=actor, topic="listing.sold")


@transaction.atomic
def listing_deactivate(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """Take a published listing off the site without selling it; it waits under "expired" and can be reactivated."""
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.DEACTIVATE, now)
    locked.expires_at = now or timezone.now()
    return _moved(locked, previous, actor=actor, topic="listing.deactivated")


@transaction.atomic
def listing_reactivate(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """Put an expired listing back for another lifetime (through review under pre-moderation)."""
    now = now or timezone.now()
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.REACTIVATE, now)
    locked.refreshed_at = now
    locked.expires_at = now + timedelta(days=locked.category.listing_lifetime_days or 30)
    return _moved(locked, previous, actor=actor, topic="listing.reactivated")


@transaction.atomic
def listing_extend(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """Give a published listing another lifetime from now (the one-click link of "expires soon"); never shortens."""
    now = now or timezone.now()
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.EXTEND, now)
    renewed = now + timedelta(days=locked.category.listing_lifetime_days or 30)
    locked.expires_at = max(locked.expires_at or renewed, renewed)
    return _moved(locked, previous, actor=actor, topic="listing.extended")


@transaction.atomic
def listing_delete(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """Soft delete: the row stays (audit, moderation), nobody sees it any more, the owner included."""
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.DELETE, now)
    return _moved(locked, previous, actor=actor, topic="listing.deleted")


@transaction.atomic
def listing_approve(*, listing: Listing, actor, now: datetime | None = None) -> Listing:
    """A moderator lets a listing under review go public; a lifetime that ran out meanwhile starts again."""
    now = now or timezone.now()
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.APPROVE, now)
    locked.rejection_reason = ""
    # The time it waited for review is not taken from its lifetime: the whole lifetime starts now.
    lifetime_end = now + timedelta(days=locked.category.listing_lifetime_days or 30)
    if locked.expires_at is None or locked.expires_at < lifetime_end:
        locked.expires_at = lifetime_end
    locked.published_at = locked.published_at or now
    locked.refreshed_at = now
    return _moved(locked, previous, actor=actor, topic="listing.approved")


@transaction.atomic
def listing_reject(*, listing: Listing, actor, reason: str, now: datetime | None = None) -> Listing:
    """A moderator refuses a listing (under review, or taken down once public); the seller sees ``reason``."""
    reason = (reason or "").strip()
    if not reason:
        raise ListingError(gettext("Say why the listing is rejected: the seller will see it."))
    locked = _locked(listing)
    previous, locked.status = locked.status, _next(locked, Action.REJECT, now)
    locked.rejection_reason = reason
    return _moved(locked, previous, actor=actor, topic="listing.rejected", reason=reason)


@transaction.atomic
def listings_withdraw_for_deleted_owner(*, user, actor) -> dict[str, int]:
    """An account is being deleted: hide its listings and drop their contact number (its personal data).

    Set-based, but through the lifecycle: every state "delete" may leave, to where it leads;
    the search index follows through the outbox. Registered as an account deletion step.
    """
    deletable = lifecycle.sources(Action.DELETE)
    to_hide = list(Listing.objects.filter(owner=user, status__in=deletable).values_list("pk", flat=True))
    hidden = Listing.objects.filter(pk__in=to_hide).update(
        status=lifecycle.bulk_target(Action.DELETE), updated_at=timezone.now()
    )
    listings_changed(listing_ids=to_hide, actor=actor, reason="account deleted")
    # The contact number on listings is the same personal data as the account's phone.
    Listing.objects.filter(owner=user).exclude(contact_phone="").update(contact_phone="")
    return {"listings_hidden": hidden}


def listings_expire_due(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Move active listings past ``expires_at`` to ``expired`` in batches; returns how many moved.

    Buyers never see them meanwhile (every read checks ``expires_at``); this makes the status,
    the seller's dashboard and the search index agree. Each batch is its own transaction with
    its audit events and reindex events, so a crash loses nothing and two workers never collide.
    """
    now = now or timezone.now()
    moved = 0
    while True:
        with transaction.atomic():
            ids = list(
                Listing.objects.filter(status__in=lifecycle.sources(Action.EXPIRE), expires_at__lte=now)
                .order_by("expires_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return moved
            target = lifecycle.bulk_target(Action.EXPIRE)
            Listing.objects.filter(pk__in=ids).update(status=target)
            events_record(
                topic="listing.expired",
                subject_type=LISTING_SUBJECT,
                subject_ids=ids,
                payload={"from": Listing.Status.ACTIVE, "to": target},  # sources(EXPIRE) is {active}
            )
            listings_changed(listing_ids=ids, reason="listing.expired")
            notices.listings_notify_expired(listing_ids=ids, now=now)
            moved += len(ids)
