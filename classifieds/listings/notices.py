"""What listings tell their sellers through ``notifications.notify()`` (and what they publish for favorites).

- "expires in 3 days" (a periodic sweep; the notice carries a signed one-click extend link),
- "expired" (from the expiry sweep, in its transaction),
- a price drop of a published listing is published to the outbox (``LISTING_PRICE_DROPPED``);
  favorites, above us, consumes it and tells the people who keep the listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from classifieds.audit.services import outbox_publish
from classifieds.notifications.models import Notification
from classifieds.notifications.services import notify, recipient_language

from .models import Listing

LISTING_PRICE_DROPPED = "listing.price_dropped"
EXPIRING_WITHIN = timedelta(days=3)
EXTEND_SALT = "bozor.listings.extend"
EXTEND_MAX_AGE = 14 * 24 * 3600


def extend_token(listing: Listing) -> str:
    """A signed token for the one-click extend link: this listing, this owner."""
    return signing.dumps({"l": listing.pk, "o": listing.owner_id}, salt=EXTEND_SALT, compress=True)


def read_extend_token(token: str) -> tuple[int, int] | None:
    """(listing id, owner id) of a valid token; None when tampered with or too old."""
    try:
        data = signing.loads(token, salt=EXTEND_SALT, max_age=EXTEND_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("l"), int) or not isinstance(data.get("o"), int):
        return None
    return data["l"], data["o"]


def _expiring_key(listing: Listing) -> str:
    # One warning per lifetime: extending the listing (a new expires_at) makes the next warning a new notice.
    return f"listing:{listing.pk}:expires:{listing.expires_at:%Y%m%d%H%M}"


def listings_warn_expiring(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Tell sellers whose published listings expire within 3 days (each lifetime once); how many were told."""
    now = now or timezone.now()
    candidates = list(
        Listing.objects.filter(status=Listing.Status.ACTIVE, expires_at__gt=now, expires_at__lte=now + EXPIRING_WITHIN)
        .select_related("owner")
        .order_by("expires_at", "pk")[:batch]
    )
    keys = {_expiring_key(listing): listing for listing in candidates}
    done = set(
        Notification.objects.filter(kind="listing.expiring", dedupe_key__in=list(keys)).values_list(
            "dedupe_key", flat=True
        )
    )
    told = 0
    for key, listing in keys.items():
        if key in done:
            continue
        days = max(1, round((listing.expires_at - now) / timedelta(days=1)))
        with translation.override(recipient_language(listing.owner)):
            extend_url = reverse("listings:extend", kwargs={"token": extend_token(listing)})
        context = {"listing_id": listing.pk, "title": listing.title, "days": days, "url": extend_url}
        told += (
            notify(
                user=listing.owner,
                kind="listing.expiring",
                context=context,
                subject=f"listing:{listing.pk}",
                dedupe_key=key,
            )
            is not None
        )
    return told


def listings_notify_expired(*, listing_ids: list[int], now: datetime) -> None:
    """Tell the sellers of listings the expiry sweep just moved to ``expired`` (in its transaction)."""
    for listing in Listing.objects.filter(pk__in=listing_ids).select_related("owner"):
        with translation.override(recipient_language(listing.owner)):
            url = f"{reverse('web:seller_listings')}?tab=expired"
        notify(
            user=listing.owner,
            kind="listing.expired",
            context={"listing_id": listing.pk, "title": listing.title, "url": url},
            subject=f"listing:{listing.pk}",
            dedupe_key=f"listing:{listing.pk}:expired:{listing.expires_at:%Y%m%d%H%M}" if listing.expires_at else None,
            now=now,
        )


@dataclass(frozen=True)
class PriceSnapshot:
    """A listing's price before an edit."""

    status: str
    price_type: str
    price: Decimal | None
    currency: str

    @classmethod
    def of(cls, listing: Listing) -> PriceSnapshot:
        return cls(listing.status, listing.price_type, listing.price, listing.currency)


def price_drop_publish(*, listing: Listing, before: PriceSnapshot, actor) -> None:
    """A published listing now asks less (same currency, an amount both times): publish it for favorites."""
    if not (
        before.status == Listing.Status.ACTIVE
        and listing.status == Listing.Status.ACTIVE
        and before.price_type == listing.price_type == Listing.PriceType.AMOUNT
        and before.currency == listing.currency
        and before.price is not None
        and listing.price is not None
        and listing.price < before.price
    ):
        return
    outbox_publish(
        topic=LISTING_PRICE_DROPPED,
        subject_type="listings.listing",
        subject_ids=[listing.pk],
        actor=actor,
        payload={"old_price": str(before.price), "new_price": str(listing.price), "currency": listing.currency},
    )
