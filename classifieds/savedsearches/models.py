"""Saved searches, what their alerts sent, and the digests that carry it."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_SAVED_SEARCHES = 50
# The cursor's id part once a run has covered everything up to its horizon.
CURSOR_END_ID = 2**63 - 1
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class SavedSearchQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)


class SavedSearch(models.Model):
    """A search results page a user keeps: its normalized query, a title, and how often to alert.

    ``params`` is the SRP query string, validated and tidied the way the SRP does it
    (page dropped, sort kept); with the category and the place it *is* the search:
    ``key`` identifies it, so the same search saved twice is one row.
    Cursor: every listing published at or before ``(cursor_published_at, cursor_id)`` was
    considered by an alert run; it moves in the transaction that records what was sent.
    """

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("instantly")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        OFF = "off", _("off")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_searches"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    location = models.ForeignKey(
        "taxonomy.Location",
        verbose_name=_("location"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    params = models.CharField(_("parameters"), max_length=2000, blank=True)
    key = models.CharField(_("key"), max_length=32, editable=False)
    frequency = models.CharField(_("alerts"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="ru")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_visited_at = models.DateTimeField(_("last visited"), default=timezone.now)
    last_alert_at = models.DateTimeField(_("last alert"), null=True, blank=True)
    cursor_published_at = models.DateTimeField(_("alerted up to, published"), default=timezone.now, editable=False)
    cursor_id = models.BigIntegerField(_("alerted up to, listing id"), default=CURSOR_END_ID, editable=False)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="savedsearch_unique_user_key")]
        indexes = [
            models.Index(fields=["frequency", "last_alert_at"], name="savedsearch_due", condition=~Q(frequency="off")),
            models.Index(fields=["user", "-created_at"], name="savedsearch_user_newest"),
        ]

    def __str__(self) -> str:
        return self.title


class DigestQuerySet(models.QuerySet):
    def unseen_count(self, user) -> int:
        """New matches shown on the site to a user without email, not yet looked at."""
        total = self.filter(user=user, channel=Digest.Channel.SITE, seen_at__isnull=True).aggregate(n=Sum("size"))
        return total["n"] or 0


class Digest(models.Model):
    """What one alert run found for one saved search: sent by email once, or shown on the site."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SITE = "site", _("on the site")

    saved_search = models.ForeignKey(
        SavedSearch, verbose_name=_("saved search"), on_delete=models.CASCADE, related_name="digests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    size = models.PositiveIntegerField(_("listings found"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)

    objects = DigestQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        indexes = [
            models.Index(
                fields=["created_at"], name="digest_unsent", condition=Q(channel="email", sent_at__isnull=True)
            ),
            models.Index(fields=["user"], name="digest_unseen", condition=Q(channel="site", seen_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"digest {self.pk} of {self.saved_search_id}"


class SentAlert(models.Model):
    """This listing was alerted for this saved search (in ``digest``): never again."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="alerts")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "listing"], name="sentalert_once_per_search"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} in digest {self.digest_id}"
