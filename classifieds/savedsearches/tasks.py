"""Alert runs (periodic) and digest emails (with retries)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import mail, services
from .models import Digest, SavedSearch


@db_task(retries=5, retry_delay=120)
def send_digest_task(digest_id: int) -> None:
    """Email one digest (idempotent: a sent digest is not sent again)."""
    mail.digest_send(digest_id=digest_id)


@db_periodic_task(crontab(minute="*/5"))
def run_instant_alerts_task() -> None:
    """Instant alerts, batched: what matched in the last few minutes goes in one email."""
    services.alert_run(frequency=SavedSearch.Frequency.INSTANT)
    resend_lost_digests_task()


@db_periodic_task(crontab(minute="7"))
def run_daily_alerts_task() -> None:
    """Daily alerts (each saved search a day after its last one)."""
    services.alert_run(frequency=SavedSearch.Frequency.DAILY)


@db_periodic_task(crontab(minute="17"))
def run_weekly_alerts_task() -> None:
    """Weekly alerts."""
    services.alert_run(frequency=SavedSearch.Frequency.WEEKLY)


@db_task()
def resend_lost_digests_task() -> None:
    """Re-drive digests whose send task was lost (worker killed, queue flushed); retries are bounded."""
    stale = timezone.now() - timedelta(minutes=30)
    pending = Digest.objects.filter(
        channel=Digest.Channel.EMAIL, sent_at__isnull=True, created_at__lt=stale, attempts__lt=10
    ).values_list("pk", flat=True)[:500]
    for pk in pending:
        send_digest_task(pk)
