"""Listing photos. Files live in the default storage (filesystem or S3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingPhoto(models.Model):
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="listings/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    checksum = models.CharField(_("sha256"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["listing", "order", "pk"]
        indexes = [models.Index(fields=["listing", "order"], name="photo_listing_order")]

    def __str__(self) -> str:
        return self.image.name
