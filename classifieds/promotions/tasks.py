"""Promotion jobs: end promotions whose time is up."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import promotion_expire_due


@db_periodic_task(crontab(minute="*"))
def expire_promotions_task() -> int:
    """End promotions past ``ends_at`` (placement never waits for it: reads check the time too)."""
    return promotion_expire_due()
