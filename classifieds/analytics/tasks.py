"""Analytics jobs: flush the event buffer every minute, purge old counts every night."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import analytics_flush, analytics_purge


@db_periodic_task(crontab(minute="*"))
def flush_analytics_task() -> int:
    """Move the buffered event counters (Redis in production) into the daily counts."""
    return analytics_flush().events


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_analytics_task() -> int:
    """Delete daily counts older than the retention period."""
    return analytics_purge()
