"""Moderation jobs."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import price_stats_refresh


@db_periodic_task(crontab(hour="*/6", minute="23"))
def refresh_price_stats_task() -> None:
    """Recompute the per-category median and MAD of prices the price-outlier rule compares with."""
    price_stats_refresh()
