"""Sending notices by email/SMS after commit, and re-driving the sends a dead worker lost."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import delivery


@db_task(retries=5, retry_delay=60)
def send_delivery_task(delivery_id: int) -> None:
    """Send one delivery (idempotent: a sent or skipped delivery is not sent again)."""
    delivery.delivery_send(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*/5"))
def redrive_deliveries_task() -> None:
    """Every 5 minutes: send the pending deliveries whose task was lost."""
    delivery.deliveries_redrive()
