"""Daily aggregates of events (what the flush writes) and the record of each flushed buffer generation.

Listings are referred to by id only: analytics sits below listings in the layer order, and an
aggregate outlives the listing it counted (the retention purge removes it, not a cascade).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    IMPRESSION = "impression", _("impressions")
    VIEW = "view", _("views")
    PHONE_REVEAL = "phone_reveal", _("phone reveals")
    FAVORITE = "favorite", _("favorites")
    MESSAGE_STARTED = "message_started", _("messages")
    FILTER_CHANGE = "filter_change", _("filter changes")
    DIGEST_CLICK = "digest_click", _("digest clicks")
    SEARCH_NO_RESULTS = "search_no_results", _("searches without results")


class DailyCount(models.Model):
    """How many (deduplicated) events of one kind a listing, or a subject such as a search term, had on one day."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    listing_id = models.BigIntegerField(_("listing id"), default=0, help_text=_("0 when about no listing"))
    subject = models.CharField(_("subject"), max_length=100, default="", blank=True)
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            # The flush's ON CONFLICT target; its leading listing_id also serves a listing's chart.
            models.UniqueConstraint(fields=["listing_id", "day", "kind", "subject"], name="analytics_daily_unique"),
        ]
        indexes = [models.Index(fields=["day", "kind"], name="analytics_daily_day_kind")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} #{self.listing_id} {self.subject}: {self.count}"


class FlushBatch(models.Model):
    """One buffer generation written to ``DailyCount``: written in the same transaction, so never twice."""

    token = models.CharField(_("generation"), max_length=64, unique=True)
    counters = models.PositiveIntegerField(_("counters"), default=0)
    events = models.BigIntegerField(_("events"), default=0)
    flushed_at = models.DateTimeField(_("flushed"), default=timezone.now)

    class Meta:
        verbose_name = _("flushed generation")
        verbose_name_plural = _("flushed generations")

    def __str__(self) -> str:
        return self.token
