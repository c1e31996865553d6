"""Search jobs: index after commit, re-drive what a lost task left, refresh precomputed counts."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .backends import get_search_backend
from .services import search_process_events

REDRIVE_AFTER = timedelta(minutes=2)


@db_task(retries=3, retry_delay=10)
def index_listings_task(event_ids: list[int]) -> int:
    """Index the listings of these outbox events."""
    return search_process_events(event_ids=event_ids)


@db_periodic_task(crontab(minute="*"))
def redrive_search_events_task() -> int:
    """Index events no task handled (a killed worker, a lost queue message)."""
    done = total = search_process_events(older_than=REDRIVE_AFTER)
    while done:
        done = search_process_events(older_than=REDRIVE_AFTER)
        total += done
    return total


@db_periodic_task(crontab(minute="*/15"))
def refresh_facet_counts_task() -> None:
    """Recount unfiltered category and region pages."""
    get_search_backend().refresh_counts()
