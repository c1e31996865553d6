"""The search side of the outbox: listing writes record an event; a worker indexes it after commit.

Indexing never happens inside a request. A service that changes what buyers can
find calls ``listings.services.listings_changed`` inside its transaction; the
event rows commit (or roll back) with the change. This app consumes the topic
(registered in ``SearchConfig.ready``): a Huey task indexes the events after
commit, and ``redrive_search_events_task`` picks up whatever a killed worker left.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from classifieds.audit.models import Event
from classifieds.core.pagecache import stamps_bump
from classifieds.listings.models import Listing
from classifieds.listings.pagestamps import ANY_LISTING, EVERYWHERE, category_stamp, listing_stamp
from classifieds.listings.services import LISTINGS_CHANGED, LISTINGS_REPRICED
from classifieds.taxonomy.models import Category

from .backends import get_search_backend

logger = logging.getLogger(__name__)

TOPIC = LISTINGS_CHANGED
BATCH = 500


def search_enqueue_indexing(event_ids: list[int]) -> None:
    """Outbox consumer of ``LISTINGS_CHANGED``: index these events in the worker (after commit)."""
    from .tasks import index_listings_task

    index_listings_task(event_ids)


def search_reprice(event_ids: list[int]) -> None:
    """Outbox consumer of ``LISTINGS_REPRICED``: a new exchange rate; the backend re-prices its copy."""
    events = Event.objects.filter(pk__in=event_ids, topic=LISTINGS_REPRICED, processed_at__isnull=True)
    backend = get_search_backend()
    for currency in sorted({event.payload.get("currency", "") for event in events} - {""}):
        backend.reprice(currency)
    backend.invalidate_summaries()
    stamps_bump([EVERYWHERE])  # every price in sum changed: every cached page is stale
    events.update(processed_at=timezone.now())


def search_pages_changed(listing_ids: Sequence[int]) -> None:
    """Cached pages showing these listings become stale: their detail pages, the results pages of every
    category in their paths (by slug in each language), home and ``/search/``."""
    paths = Listing.objects.filter(pk__in=list(listing_ids)).values_list("category__path", flat=True)
    category_ids = {pk for path in paths for pk in (path or [])}
    slugs = Category.objects.filter(pk__in=category_ids).values_list("slug_ru", "slug_uz")
    stamps_bump(
        [
            ANY_LISTING,
            *(listing_stamp(pk) for pk in listing_ids),
            *(category_stamp(slug) for pair in slugs for slug in pair if slug),
        ]
    )


@transaction.atomic
def search_process_events(*, event_ids: Sequence[int] | None = None, older_than: timedelta | None = None) -> int:
    """Index the listings of pending search events and mark them processed. Returns how many events.

    ``event_ids``: exactly these (a task after commit); otherwise the oldest
    pending ones created more than ``older_than`` ago (the re-drive). Rows are
    locked with SKIP LOCKED, so two workers never index the same event.
    """
    pending = Event.objects.filter(topic=TOPIC, processed_at__isnull=True)
    if event_ids is not None:
        pending = pending.filter(pk__in=list(event_ids))
    if older_than is not None:
        pending = pending.filter(created_at__lt=timezone.now() - older_than)
    events = list(pending.select_for_update(skip_locked=True).order_by("created_at", "pk")[:BATCH])
    if not events:
        return 0
    ids = {int(event.subject_id) for event in events if event.subject_id.isdigit()}
    visible = set(Listing.objects.active().filter(pk__in=ids).values_list("pk", flat=True))
    backend = get_search_backend()
    if visible:
        backend.index(sorted(visible))
    gone = sorted(ids - visible)
    if gone:
        # Still recomputed (a PostgreSQL row keeps its columns right), then removed from the index.
        backend.index(gone)
        backend.delete(gone)
    search_pages_changed(sorted(ids))
    Event.objects.filter(pk__in=[event.pk for event in events]).update(processed_at=timezone.now())
    logger.info("search: indexed %s listings, removed %s (%s events)", len(visible), len(gone), len(events))
    return len(events)
