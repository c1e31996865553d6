"""Listings and their attribute values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifieds.core.text import slugify_any


class Currency(models.TextChoices):
    UZS = "UZS", _("sum")
    USD = "USD", "$"


class ListingQuerySet(models.QuerySet):
    def active(self):
        """What buyers may see: active and not past its expiry."""
        return self.filter(status=Listing.Status.ACTIVE, expires_at__gt=timezone.now())

    def in_category(self, category):
        if category is None:
            return self
        if category.is_leaf:
            return self.filter(category_id=category.pk)
        return self.filter(category__path__contains=[category.pk])

    def in_location(self, location):
        if location is None:
            return self
        return self.filter(location__path__contains=[location.pk])

    def newest(self):
        return self.order_by("-refreshed_at", "-pk")

    def for_cards(self):
        """What a listing card needs, without N+1 (cover photo prefetched)."""
        from classifieds.media.models import ListingPhoto

        return self.select_related("location", "category").prefetch_related(
            models.Prefetch("photos", queryset=ListingPhoto.objects.order_by("order", "pk"))
        )


class Listing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING = "pending", _("pending review")
        ACTIVE = "active", _("active")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")
        SOLD = "sold", _("sold")
        DELETED = "deleted", _("deleted")

    class Condition(models.TextChoices):
        NEW = "new", _("new")
        USED = "used", _("used")

    class PriceType(models.TextChoices):
        AMOUNT = "amount", _("price")
        FREE = "free", _("free")
        EXCHANGE = "exchange", _("exchange")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="listings"
    )
    category = models.ForeignKey(
        "taxonomy.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="listings"
    )
    location = models.ForeignKey(
        "taxonomy.Location", verbose_name=_("location"), on_delete=models.PROTECT, related_name="listings"
    )
    title = models.CharField(_("title"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=False)
    description = models.TextField(_("description"), max_length=9000)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="ru")
    price_type = models.CharField(_("price type"), max_length=10, choices=PriceType.choices, default=PriceType.AMOUNT)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.UZS)
    negotiable = models.BooleanField(_("negotiable"), default=False)
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    quality_score = models.FloatField(_("quality score"), default=1.0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    views_count = models.PositiveIntegerField(_("views"), default=0)
    phone_reveals_count = models.PositiveIntegerField(_("phone reveals"), default=0)
    favorites_count = models.PositiveIntegerField(_("favorites"), default=0)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        indexes = [
            # Category pages: newest first within a leaf, active rows only.
            models.Index(
                fields=["category", "-refreshed_at"], name="listing_active_cat_fresh", condition=Q(status="active")
            ),
            # Home "recent" and all-categories browse.
            models.Index(fields=["-refreshed_at"], name="listing_active_fresh", condition=Q(status="active")),
            models.Index(
                fields=["location", "-refreshed_at"], name="listing_active_loc_fresh", condition=Q(status="active")
            ),
            # Seller dashboard tabs.
            models.Index(fields=["owner", "status", "-created_at"], name="listing_owner_status"),
            # Expiry sweep.
            models.Index(fields=["expires_at"], name="listing_active_expiry", condition=Q(status="active")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_type="amount", price__isnull=False, price__gte=0) | ~Q(price_type="amount"),
                name="listing_amount_has_price",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("listings:detail", kwargs={"pk": self.pk, "slug": self.slug or "item"})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.ACTIVE and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def cover(self):
        photos = list(self.photos.all())
        return photos[0] if photos else None

    def make_slug(self) -> str:
        return slugify_any(self.title)[:100] or "item"


class ListingAttributeValue(models.Model):
    """One attribute value of a listing; a multichoice value is one row per option."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey("taxonomy.Attribute", on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(
        "taxonomy.AttributeOption", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value_text = models.CharField(max_length=255, blank=True)
    value_number = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    value_bool = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        indexes = [
            models.Index(fields=["attribute", "option"], name="lav_attr_option"),
            models.Index(fields=["attribute", "value_number"], name="lav_attr_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "attribute", "option"], name="lav_unique_option", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id}={self.display_value}"

    @property
    def display_value(self) -> str:
        if self.option_id:
            return self.option.label
        if self.value_bool is not None:
            return str(_("yes") if self.value_bool else _("no"))
        if self.value_number is not None:
            n = self.value_number
            return str(int(n)) if n == int(n) else str(n.normalize())
        return self.value_text
