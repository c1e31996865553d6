"""Writes of notifications: ``notify()`` (the one way to tell a user something), reading, preferences.

Exactly once: a notice is one row per (user, kind, dedupe key); the key is the caller's, or
the subject plus the number of the kind's window the notice falls in. A second ``notify()`` for
the same key writes nothing and returns None. The email/SMS deliveries are rows written in the
same transaction and sent after commit by ``send_delivery_task`` (see ``delivery.py``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from classifieds.accounts.models import User

from .kinds import EMAIL, OPTIONAL_CHANNELS, SMS, kind_get
from .models import Delivery, Notification, Preference, Recipient

logger = logging.getLogger(__name__)


def confirmed_email(user: User) -> str:
    """The user's confirmed email address, else ``""``.

    Accounts keep a new address pending (an unverified allauth ``EmailAddress``) and write
    ``user.email`` only once its link is followed, so ``user.email`` is the confirmed one —
    unless allauth knows it as unverified (an address set by hand in Admin, say).
    """
    if not user.email:
        return ""
    unverified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=False).exists()
    return "" if unverified else user.email


def recipient_language(user: User) -> str:
    """The language the user's notices are written in (the default language until they chose one)."""
    language = Recipient.objects.filter(user=user).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


def channel_enabled(*, user: User, kind: str, channel: str) -> bool:
    """The user's preference for ``kind`` by ``channel`` (on unless switched off)."""
    enabled = Preference.objects.filter(user=user, kind=kind, channel=channel).values_list("enabled", flat=True).first()
    return True if enabled is None else enabled


def _window_key(*, subject: str, window, now: datetime) -> str:
    if window is None:
        return subject
    number = int(now.timestamp() // window.total_seconds())
    return f"{subject}@{number}"


def _channels(*, user: User, kind: str) -> list[str]:
    """The channels besides on-site this notice goes by: those the kind, the user and the settings allow."""
    spec = kind_get(kind)
    wanted = []
    if spec.email and confirmed_email(user) and channel_enabled(user=user, kind=kind, channel=EMAIL):
        wanted.append(EMAIL)
    if (
        kind in settings.NOTIFICATIONS_SMS_KINDS
        and user.phone
        and user.phone_verified
        and channel_enabled(user=user, kind=kind, channel=SMS)
    ):
        wanted.append(SMS)
    return wanted


@transaction.atomic
def notify(
    *,
    user: User,
    kind: str,
    context: dict,
    subject: str | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> Notification | None:
    """Tell ``user`` about an event of ``kind``; the notice, or None when it was already told (or cannot be).

    Runs in the caller's transaction (a savepoint of it): the notice and its deliveries are
    written with the caller's rows; the email/SMS go out after commit. ``context`` must be
    JSON-serialisable. Raises ``UnknownKind`` for a kind that is not registered.
    """
    spec = kind_get(kind)
    if user.pk is None or not user.is_active or user.deleted_at is not None:
        return None
    now = now or timezone.now()
    key = dedupe_key or _window_key(subject=subject or "", window=spec.window, now=now)
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's transaction usable
            notice = Notification.objects.create(
                user=user,
                kind=kind,
                subject=(subject or "")[:100],
                dedupe_key=key[:200],
                context=context,
                language=recipient_language(user),
                created_at=now,
            )
    except IntegrityError:
        return None
    channels = _channels(user=user, kind=kind)
    deliveries = Delivery.objects.bulk_create(
        [Delivery(notification=notice, channel=channel, created_at=now) for channel in channels]
    )
    if deliveries:
        from .tasks import send_delivery_task

        ids = [delivery.pk for delivery in deliveries]
        delay = spec.send_delay.total_seconds()
        if delay:
            transaction.on_commit(lambda: [send_delivery_task.schedule((pk,), delay=delay) for pk in ids])
        else:
            transaction.on_commit(lambda: [send_delivery_task(pk) for pk in ids])
    return notice


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's notices read; False when it was not unread."""
    return bool(Notification.objects.of(user).unread().filter(pk=notification_id).update(read_at=timezone.now()))


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every notice of the user read; how many were unread."""
    return Notification.objects.of(user).unread().update(read_at=timezone.now())


@transaction.atomic
def recipient_set_language(*, user: User, language: str) -> None:
    """Write notices to ``user`` in ``language`` from now on."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    Recipient.objects.update_or_create(user=user, defaults={"language": language})


@transaction.atomic
def preference_set(*, user: User, kind: str, channel: str, enabled: bool) -> None:
    """Switch one kind's channel on or off for ``user``."""
    kind_get(kind)
    if channel not in OPTIONAL_CHANNELS:
        raise ValueError(channel)
    Preference.objects.update_or_create(user=user, kind=kind, channel=channel, defaults={"enabled": enabled})


def preferences_of(user: User) -> dict[tuple[str, str], bool]:
    """The user's explicit choices: (kind, channel) -> enabled (a missing pair is on)."""
    return {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")
    }


@transaction.atomic
def preferences_save(*, user: User, choices: list[tuple[str, str, bool]], language: str) -> None:
    """Save the preferences form: each (kind, channel, enabled), and the language of notices."""
    for kind, channel, enabled in choices:
        preference_set(user=user, kind=kind, channel=channel, enabled=enabled)
    recipient_set_language(user=user, language=language)


@transaction.atomic
def unsubscribe(*, user_id: int, kind: str, channel: str) -> bool:
    """Switch a kind's channel off from an email's one-click link; False when the user or kind is unknown."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    try:
        preference_set(user=user, kind=kind, channel=channel, enabled=False)
    except (LookupError, ValueError):
        return False
    return True
