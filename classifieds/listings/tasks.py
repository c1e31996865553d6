"""Listing jobs."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .notices import listings_warn_expiring
from .rates import exchange_rate_refresh
from .services import listings_expire_due


@db_periodic_task(crontab(hour="*/6", minute="7"))
def refresh_exchange_rate_task() -> None:
    """Refresh the USD rate from the Central Bank (the last rate stays when it is unreachable)."""
    exchange_rate_refresh()


@db_periodic_task(crontab(minute="*/10"))
def expire_listings_task() -> None:
    """Listings past their lifetime become ``expired`` (the seller can reactivate them)."""
    listings_expire_due()


@db_periodic_task(crontab(minute="37"))
def warn_expiring_listings_task() -> None:
    """Hourly: tell sellers whose listings expire within 3 days, with a one-click extend link."""
    listings_warn_expiring()
