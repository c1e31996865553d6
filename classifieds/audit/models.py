"""The audit log, which is also the outbox: every state change a service makes writes one row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventQuerySet(models.QuerySet):
    def unprocessed(self):
        """Events no consumer has handled yet (the outbox), oldest first."""
        return self.filter(processed_at__isnull=True).order_by("created_at", "pk")

    def about(self, subject: models.Model):
        return self.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


class Event(models.Model):
    """Something that happened: who did it (if anyone), to what, and the facts needed later.

    ``payload`` must never hold personal data (phone numbers, names, codes):
    the log outlives the accounts it mentions.
    """

    topic = models.CharField(_("topic"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField(_("subject type"), max_length=80, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="event_subject"),
            models.Index(fields=["topic", "-created_at"], name="event_topic_created"),
            # The outbox re-driver scans only what is still pending.
            models.Index(fields=["created_at"], name="event_unprocessed", condition=Q(processed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.subject_type}:{self.subject_id}"
