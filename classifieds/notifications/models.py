"""Notices (the on-site record of every notification), their deliveries by email/SMS, and preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import EMAIL, SMS


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class Notification(models.Model):
    """One thing a user was told: shown in the bell list; the source of its email/SMS deliveries.

    ``dedupe_key`` makes it exactly once: the row is unique per (user, kind, dedupe_key), where
    the key is the caller's or ``<subject>@<window number>``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, editable=False)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="ru")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "dedupe_key"], name="notification_once_per_key"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            models.Index(fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id} ({self.subject})"


class Delivery(models.Model):
    """Sending one notice by one channel (email or SMS): claimed, sent once, marked sent.

    The send happens while the row is locked (``select_for_update(skip_locked=True)`` in the
    transaction that marks it sent): two workers never send it both, and a worker that dies
    mid-send leaves it pending for the re-drive task, which sends it once more, never twice after
    a success was recorded.
    """

    class Channel(models.TextChoices):
        EMAIL = EMAIL, _("email")
        SMS = SMS, _("SMS")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="delivery_pending", condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.channel} of notification {self.notification_id}: {self.state}"


class Preference(models.Model):
    """A user's choice for one kind and one channel; no row means the kind's default (on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=5, choices=Delivery.Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once_per_kind_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}: {'on' if self.enabled else 'off'}"


class Recipient(models.Model):
    """Per-user settings of notifications that are not per kind: the language notices are written in.

    Accounts store no language; this one follows the language the user last chose on the
    preferences form or last read their notifications in.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="ru")

    class Meta:
        verbose_name = _("notification recipient")
        verbose_name_plural = _("notification recipients")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
