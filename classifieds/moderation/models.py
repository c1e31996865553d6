"""Moderation: intake settings and word/phone lists, rule verdicts, decisions, user reports, price statistics."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifieds.accounts.models import User
from classifieds.listings.models import Listing, RejectionReason


class Route(models.TextChoices):
    PUBLISH = "publish", _("publish")
    SAMPLE = "sample", _("publish and sample for review")
    HOLD = "hold", _("hold for review")
    REJECT = "reject", _("reject")


class ModerationSettings(models.Model):
    """The one row of thresholds moderators tune in Admin (``ModerationSettings.load()``)."""

    hold_score = models.PositiveIntegerField(
        _("hold at score"), default=40, help_text=_("A listing whose rule hits add up to this waits for review.")
    )
    reject_score = models.PositiveIntegerField(
        _("reject at score"), default=100, help_text=_("A listing whose rule hits add up to this is rejected.")
    )
    sample_percent = models.PositiveSmallIntegerField(
        _("sampled share, %"), default=5, help_text=_("Share of listings published without review that are sampled.")
    )
    report_hide_threshold = models.PositiveSmallIntegerField(
        _("reporters to hide"),
        default=3,
        help_text=_("Open reports from this many different people take the listing off the site until reviewed."),
    )
    new_account_days = models.PositiveSmallIntegerField(_("account counts as new for, days"), default=3)
    burst_listings = models.PositiveSmallIntegerField(
        _("burst: listings"), default=5, help_text=_("A new account submitting this many listings in an hour bursts.")
    )
    duplicate_text_count = models.PositiveSmallIntegerField(
        _("same text: listings"), default=3, help_text=_("The same description on this many live listings.")
    )
    price_outlier_mads = models.DecimalField(
        _("price outlier, MADs"),
        max_digits=5,
        decimal_places=1,
        default=6,
        help_text=_("How many median absolute deviations from the category's median price count as an outlier."),
    )

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="moderation_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Moderation settings"))

    @classmethod
    def load(cls) -> ModerationSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class BannedWord(models.Model):
    """A word or phrase not allowed in listings; matched after normalisation (script, case, spacing, digits)."""

    class Language(models.TextChoices):
        ANY = "", _("any")
        RU = "ru", _("Russian")
        UZ = "uz", _("Uzbek")

    phrase = models.CharField(_("word or phrase"), max_length=100)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=100)
    reason = models.CharField(
        _("reason"), max_length=20, choices=RejectionReason.choices, default=RejectionReason.PROHIBITED
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class RiskyPhone(models.Model):
    """A contact number seen in fraud: a listing carrying it (or its seller's) is held."""

    phone = models.CharField(_("phone"), max_length=20, unique=True, help_text=_("E.164, e.g. +998901234567"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=60)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("risky phone")
        verbose_name_plural = _("risky phones")

    def __str__(self) -> str:
        return self.phone


class CategoryPriceStat(models.Model):
    """Robust price statistics of a category's active listings (in sum), refreshed by a periodic task."""

    category = models.OneToOneField(
        "taxonomy.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    median = models.BigIntegerField(_("median price, sum"))
    mad = models.BigIntegerField(_("median absolute deviation, sum"))
    sample_size = models.PositiveIntegerField(_("listings"))
    refreshed_at = models.DateTimeField(_("refreshed"), default=timezone.now)

    class Meta:
        verbose_name = _("category price statistics")
        verbose_name_plural = _("category price statistics")

    def __str__(self) -> str:
        return f"{self.category_id}: {self.median} ± {self.mad}"


class Screening(models.Model):
    """What the intake rules said about a listing on a submit or an edit (newest one per listing counts)."""

    listing = models.ForeignKey(Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(_("trigger"), max_length=10)
    route = models.CharField(_("route"), max_length=10, choices=Route.choices)
    score = models.PositiveIntegerField(_("score"), default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=RejectionReason.choices, blank=True)
    rules = ArrayField(models.CharField(max_length=30), verbose_name=_("rules hit"), default=list, blank=True)
    hits = models.JSONField(_("hits"), default=list, blank=True)
    # The description, normalised and hashed: "the same text posted many times" is counted on it.
    text_digest = models.CharField(max_length=32, blank=True, db_index=True)
    sampled = models.BooleanField(_("sampled"), default=False)
    reviewed_at = models.DateTimeField(_("sample reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("screened"), default=timezone.now)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        indexes = [
            models.Index(fields=["listing", "-created_at"], name="screening_listing_newest"),
            models.Index(
                fields=["created_at"], name="screening_sample_queue", condition=Q(sampled=True, reviewed_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.route} ({self.score})"


class ModerationAction(models.Model):
    """One moderator decision, immutable: who, what, why, the listing's state before → after."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("approved")
        REJECT = "reject", _("rejected")
        REQUEST_CHANGES = "request_changes", _("changes requested")
        BAN = "ban", _("seller banned")
        UNBAN = "unban", _("seller unbanned")
        HIDE_REPORTED = "hide_reported", _("hidden after reports")
        RESOLVE_REPORTS = "resolve_reports", _("reports resolved")
        SAMPLE_OK = "sample_ok", _("sample checked")

    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="+"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RejectionReason.choices, blank=True)
    note = models.TextField(_("moderator note"), blank=True, help_text=_("Never shown to the seller."))
    status_before = models.CharField(_("before"), max_length=10, blank=True)
    status_after = models.CharField(_("after"), max_length=10, blank=True)
    # When the listing entered the queue (its submit or edit): the time to decision is measured from it.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        indexes = [
            models.Index(fields=["listing", "-created_at"], name="modaction_listing"),
            models.Index(fields=["seller", "-created_at"], name="modaction_seller"),
            models.Index(fields=["-created_at"], name="modaction_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.listing_id or self.seller_id} {self.status_before}→{self.status_after}"


class Report(models.Model):
    """A buyer's complaint about a listing (or a seller, through one of their listings)."""

    class Reason(models.TextChoices):
        SCAM = "scam", _("Scam or fraud")
        PROHIBITED = "prohibited", _("Prohibited item")
        WRONG_CATEGORY = "wrong_category", _("Wrong category")
        DUPLICATE = "duplicate", _("Duplicate")
        SOLD = "sold", _("Already sold")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seller"), on_delete=models.CASCADE, related_name="+"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who reported without an account: a digest of their session (never the IP in clear).
    visitor = models.CharField(_("visitor"), max_length=64)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("details"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["listing", "created_at"], name="report_open_listing", condition=Q(status="open")),
            models.Index(fields=["seller", "created_at"], name="report_seller"),
        ]
        constraints = [
            # One open report per reporter (account or visitor) per listing or seller.
            models.UniqueConstraint(
                fields=["seller", "listing", "visitor"],
                condition=Q(status="open"),
                name="report_one_open_per_visitor",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} → {self.listing_id or self.seller_id}"


# --- The workbench's queues in Admin: listings and sellers seen through moderation's eyes ----------------


class ReviewQueueItem(Listing):
    """A listing waiting for review (the Admin queue)."""

    class Meta:
        proxy = True
        verbose_name = _("listing to review")
        verbose_name_plural = _("review queue")


class SampledListing(Listing):
    """A listing published without review and drawn for a look afterwards."""

    class Meta:
        proxy = True
        verbose_name = _("sampled listing")
        verbose_name_plural = _("sampling queue")


class ReportedListing(Listing):
    """A listing with open reports from buyers (the triage queue)."""

    class Meta:
        proxy = True
        verbose_name = _("reported listing")
        verbose_name_plural = _("reported listings")


class Seller(User):
    """An account seen as a seller: ban and unban."""

    class Meta:
        proxy = True
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
