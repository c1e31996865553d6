"""Background work of accounts: SMS delivery, clean-up of never-verified accounts."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from classifieds.core.observability.metrics import sms_outcome_record
from classifieds.core.phones import mask_phone

from . import sms

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=20, retry_backoff=2)
def send_sms_task(to: str, text: str) -> None:
    """Send one SMS; a timeout or a provider outage is retried, a refusal is logged and dropped.

    Takes the text, not an id: one-time codes are never stored in our database.
    Nothing here logs ``text``.
    """
    backend = sms.get_backend()
    backend_name = type(backend).__name__.removesuffix("Backend").lower()
    try:
        message_id = backend.send(to=to, text=text)
    except sms.SmsRejected as exc:
        sms_outcome_record(backend=backend_name, outcome="rejected")
        logger.error("SMS to %s not sent: %s", mask_phone(to), exc)
        return
    except sms.SmsTemporaryError as exc:
        sms_outcome_record(backend=backend_name, outcome="temporary_error")
        logger.warning("SMS to %s failed, will retry: %s", mask_phone(to), exc)
        raise
    sms_outcome_record(backend=backend_name, outcome="sent")
    logger.info("SMS to %s accepted by the provider as %s", mask_phone(to), message_id)


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_unverified_users_task() -> None:
    """Daily: forget accounts whose sign-in code was never entered."""
    from .services import users_purge_unverified  # services import this module

    users_purge_unverified()
