"""Listing photos. Files live in the default storage (filesystem or S3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingPhoto(models.Model):
    """A photo of a listing. Uploaded files are ``processing`` until the media task re-encodes them."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="listings/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    checksum = models.CharField(_("sha256"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Rows written before the pipeline existed (and seed_demo's COPY) are ready.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.READY, db_default=Status.READY
    )
    error = models.CharField(_("error"), max_length=200, blank=True, db_default="")
    # Processing tries started, and when the last one started or was queued: a task that died
    # mid-way leaves the photo "processing", and the minutely sweep retries it (a bounded number of times).
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0, db_default=0)
    attempted_at = models.DateTimeField(_("last processing attempt"), null=True, blank=True)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True, db_default="")
    size = models.PositiveIntegerField(_("size, bytes"), default=0, db_default=0)
    flagged = models.BooleanField(
        _("flagged for moderation"),
        default=False,
        db_default=False,
        help_text=_("the same photo is on another seller's listing"),
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["listing", "order", "pk"]
        indexes = [models.Index(fields=["listing", "order"], name="photo_listing_order")]

    def __str__(self) -> str:
        return self.image.name or f"#{self.pk}"  # a failed photo has no file left
