"""Sending a notice's deliveries (email, SMS): exactly once per delivery row.

How: the send happens inside the transaction that locks the pending row
(``select_for_update(skip_locked=True)``) and marks it sent. So
- two workers never both send it (the second skips the locked row, then sees it sent);
- a worker that dies before or during the send rolls back: the row stays pending, and the
  task's retry or the periodic re-drive sends it once; after the mark commits, nothing
  sends it again;
- the one case no database can close — the SMTP server accepted the message and the worker
  died before the commit — re-sends the *same* message (same Message-ID), which mail clients
  collapse.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from classifieds.accounts import sms
from classifieds.core.phones import mask_phone

from .kinds import EMAIL, SMS, kind_get, kinds_all
from .models import Delivery
from .rendering import notice_email, notice_sms
from .services import channel_enabled, confirmed_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A pending delivery older than this has lost its task (worker killed, queue flushed): re-drive it.
STALE_AFTER = timedelta(minutes=3)


class DeliveryFailed(Exception):
    """Sending failed in a way worth retrying; the delivery stays pending."""


def _skip(delivery: Delivery, reason: str) -> None:
    delivery.state = Delivery.State.SKIPPED
    delivery.last_error = reason
    delivery.save(update_fields=["state", "last_error"])


def delivery_send(*, delivery_id: int) -> bool:
    """Send one pending delivery; True when it was sent now (False: sent before, skipped, or in flight)."""
    try:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("notification__user")
                .filter(pk=delivery_id, state=Delivery.State.PENDING)
                .first()
            )
            if delivery is None:
                return False
            notice = delivery.notification
            user = notice.user
            spec = kind_get(notice.kind)
            if spec.send_delay and notice.read_at is not None:
                _skip(delivery, "read on the site first")
                return False
            # The user may have changed their mind (or address) between the notice and the send.
            if not user.is_active or not channel_enabled(user=user, kind=notice.kind, channel=delivery.channel):
                _skip(delivery, "switched off")
                return False
            if delivery.channel == EMAIL:
                address = confirmed_email(user)
                if not address:
                    _skip(delivery, "no confirmed email")
                    return False
                notice_email(notice, to=address, delivery_id=delivery.pk).send()
            elif delivery.channel == SMS:
                if not user.phone:
                    _skip(delivery, "no phone")
                    return False
                try:
                    sms.get_backend().send(to=user.phone, text=notice_sms(notice))
                except sms.SmsRejected as exc:
                    logger.error("notification SMS to %s refused: %s", mask_phone(user.phone), exc)
                    delivery.state = Delivery.State.FAILED
                    delivery.last_error = str(exc)[:300]
                    delivery.attempts += 1
                    delivery.save(update_fields=["state", "last_error", "attempts"])
                    return False
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.attempts += 1
            delivery.save(update_fields=["state", "sent_at", "attempts"])
            return True
    except Exception as exc:
        _record_failure(delivery_id=delivery_id, error=exc)
        raise DeliveryFailed(str(delivery_id)) from exc


@transaction.atomic
def _record_failure(*, delivery_id: int, error: Exception) -> None:
    """Count a failed attempt (the send's own transaction rolled back); give up after MAX_ATTEMPTS."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id, state=Delivery.State.PENDING).first()
    if delivery is None:
        return
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:300]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = Delivery.State.FAILED
    delivery.save(update_fields=["attempts", "last_error", "state"])
    logger.warning("notification delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, error)


def deliveries_redrive(*, now: datetime | None = None, stale_after: timedelta = STALE_AFTER, limit: int = 500) -> int:
    """Send the pending deliveries whose task was lost; how many were sent now."""
    now = now or timezone.now()
    queryset = Delivery.objects.filter(state=Delivery.State.PENDING, created_at__lte=now - stale_after)
    for kind in kinds_all():  # a delayed kind's deliveries are not lost before their delay is over
        if kind.send_delay:
            queryset = queryset.exclude(
                notification__kind=kind.name, created_at__gt=now - stale_after - kind.send_delay
            )
    pending = list(queryset.order_by("created_at").values_list("pk", flat=True)[:limit])
    sent = 0
    for pk in pending:
        try:
            sent += delivery_send(delivery_id=pk)
        except DeliveryFailed:
            continue  # counted on the row; the next run tries again
    return sent
