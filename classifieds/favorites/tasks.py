"""Background work of favorites: telling people a listing they keep got cheaper."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from classifieds.audit.models import Event
from classifieds.listings.notices import LISTING_PRICE_DROPPED

from . import services


@db_task(retries=3, retry_delay=60)
def notify_price_drop_task(event_ids: list[int]) -> None:
    """Notify the favorites of listings whose price dropped (outbox consumer; idempotent per event)."""
    services.favorites_notify_price_drop(event_ids=event_ids)


@db_periodic_task(crontab(minute="*/15"))
def redrive_price_drops_task() -> None:
    """Price-drop events whose task was lost (worker killed) are handled on the next pass."""
    stale = timezone.now() - timedelta(minutes=5)
    ids = list(
        Event.objects.filter(topic=LISTING_PRICE_DROPPED, processed_at__isnull=True, created_at__lt=stale)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    if ids:
        services.favorites_notify_price_drop(event_ids=ids)
