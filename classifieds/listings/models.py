"""Listings and their attribute values."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.expressions import OrderBy
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifieds.core.text import plain_decimal, slugify_any
from classifieds.taxonomy.models import PricePeriod

from . import lifecycle


class Currency(models.TextChoices):
    UZS = "UZS", _("sum")
    USD = "USD", "$"


class RejectionReason(models.TextChoices):
    """Why a listing was refused, as its seller reads it (``Listing.rejection_reason`` stores the code)."""

    PROHIBITED = "prohibited", _("The item or service is not allowed on Bozor.")
    CONTACTS_IN_TEXT = "contacts_in_text", _("Phone numbers, card numbers, links or messenger names in the text.")
    DUPLICATE = "duplicate", _("The same listing is already on Bozor.")
    WRONG_CATEGORY = "wrong_category", _("The listing is in the wrong category.")
    MISLEADING_PRICE = "misleading_price", _("The price is not real.")
    SCAM = "scam", _("The listing looks like fraud.")
    PHOTOS = "photos", _("The photos are not of the item, or are taken from someone else.")
    INCOMPLETE = "incomplete", _("The description is missing important details.")
    OTHER = "other", _("The listing breaks the posting rules.")


# The search-results page reads only active rows; its indexes carry facet_values and
# expires_at so filtering and counting are index-only scans (docs/search-benchmark.md).
SRP_INCLUDE = ["facet_values", "expires_at", "price_uzs"]
SRP_INCLUDE_PRICED = ["facet_values", "expires_at"]  # price_uzs is already a key column there
# Columns a listing card never shows: not loaded for the 40 cards of a page.
CARD_DEFERRED = ("description", "search_vector", "facet_values", "attrs_num", "rejection_reason")
# Columns a card shows (and its cache key needs).
CARD_FIELDS = (
    "id",
    "slug",
    "title",
    "price",
    "currency",
    "price_type",
    "price_period",
    "negotiable",
    "refreshed_at",
    "updated_at",
    "location_id",
    "category_id",
    "expires_at",  # a cached page showing the card must not outlive it (core.pagecache.valid_until)
)


class ExchangeRateQuerySet(models.QuerySet):
    def rate_for(self, currency: str) -> Decimal:
        """Sum per unit of ``currency`` (1 for sum); the fallback when no rate was ever stored."""
        if currency == Currency.UZS:
            return Decimal(1)
        rate = self.filter(currency=currency).values_list("rate", flat=True).first()
        return rate if rate is not None else FALLBACK_RATES[currency]


# Used only until the first rate is stored (a migration stores this one).
FALLBACK_RATES = {Currency.USD: Decimal("12650")}

# A listing's price in sum, for sorting and ranges across currencies (alias ``l`` is the
# listing row). Free is 0; exchange-only has no price. Set-based: search rebuilds and
# exchange-rate changes run it in one UPDATE.
PRICE_UZS_SQL = """CASE
  WHEN l.price_type = 'free' THEN 0
  WHEN l.price_type <> 'amount' OR l.price IS NULL THEN NULL
  WHEN l.currency = 'UZS' THEN round(l.price)::bigint
  ELSE round(l.price * coalesce(
    (SELECT r.rate FROM listings_exchangerate r WHERE r.currency = l.currency),
    CASE l.currency {fallbacks} END))::bigint
END""".format(fallbacks=" ".join(f"WHEN '{code}' THEN {rate}" for code, rate in FALLBACK_RATES.items()))  # noqa: S608


class ExchangeRate(models.Model):
    """Sum per unit of a foreign currency: prices in USD are compared with prices in sum through it."""

    class Source(models.TextChoices):
        CBU = "cbu", _("Central Bank of Uzbekistan")
        MANUAL = "manual", _("set by staff")

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, unique=True)
    rate = models.DecimalField(_("rate, sum per unit"), max_digits=14, decimal_places=4)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    rate_date = models.DateField(_("rate date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive")]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} UZS"


class ListingQuerySet(models.QuerySet):
    def public(self):
        """Listings whose page anyone may open (``lifecycle.PUBLIC``: active, expired, sold)."""
        return self.filter(status__in=lifecycle.PUBLIC)

    def active(self):
        """What buyers find (search, home, seller page, sitemaps, similar): active and not past its expiry."""
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

    def cards_in_bulk(self, ids: list[int], *, locations: dict | None = None) -> dict[int, Listing]:
        """What cards need for ``ids``, lean: card columns only, the cover as a bare photo row.

        ``locations`` (id -> Location, e.g. the in-memory catalog) saves the join; without it
        the locations are selected with the listings.
        """
        from classifieds.media.models import ListingPhoto

        queryset = self.only(*CARD_FIELDS)
        if locations is None:
            queryset = queryset.select_related("location")
        rows = queryset.in_bulk(ids)
        covers = (
            ListingPhoto.objects.filter(listing_id__in=list(rows))
            .order_by("listing_id", "order", "pk")
            .distinct("listing_id")
            .values_list("listing_id", "pk", "image", "width", "height")
        )
        photos = {
            listing_id: ListingPhoto(pk=pk, listing_id=listing_id, image=image, width=width, height=height)
            for listing_id, pk, image, width, height in covers
        }
        for listing in rows.values():
            listing.card_photos = [photos[listing.pk]] if listing.pk in photos else []
            if locations is not None and listing.location_id in locations:
                Listing.location.field.set_cached_value(listing, locations[listing.location_id])
        return rows

    def for_cards(self):
        """What a listing card needs, without N+1: the cover photo only, no long or search-only columns."""
        from classifieds.media.models import ListingPhoto

        covers = (
            ListingPhoto.objects.filter(status=ListingPhoto.Status.READY)  # a raw upload is never shown
            .order_by("listing_id", "order", "pk")
            .distinct("listing_id")
        )
        return (
            self.select_related("location")
            .defer(*CARD_DEFERRED)
            .prefetch_related(models.Prefetch("photos", queryset=covers, to_attr="card_photos"))
        )


class Listing(models.Model):
    # The states and the transitions between them are in ``lifecycle``; only services change them.
    Status = lifecycle.Status

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
    # Empty only on a draft whose seller has not chosen the place yet (listing_submit requires it).
    location = models.ForeignKey(
        "taxonomy.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="listings",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=False)
    description = models.TextField(_("description"), max_length=9000)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="ru")
    price_type = models.CharField(_("price type"), max_length=10, choices=PriceType.choices, default=PriceType.AMOUNT)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.UZS)
    # Rent per month or day, a salary per month...: the category's ``price_periods`` say which.
    price_period = models.CharField(
        _("price period"),
        max_length=8,
        choices=PricePeriod.choices,
        default=PricePeriod.ONCE,
        db_default=PricePeriod.ONCE,
    )
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

    # Denormalized for search (classifieds.search keeps them right; never edited by hand).
    # Database defaults, so rows written by COPY are valid until the indexer fills them.
    price_uzs = models.BigIntegerField(
        _("price in sum"), null=True, blank=True, editable=False, help_text=_("for sorting across currencies")
    )
    facet_values = ArrayField(
        models.IntegerField(), db_default=Value([], output_field=ArrayField(models.IntegerField())), editable=False
    )
    attrs_num = models.JSONField(db_default=Value({}, output_field=models.JSONField()), editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The point "near me" measures from (the map pin, else the place's centre), kept by the indexer.
    geo_lat = models.FloatField(null=True, blank=True, editable=False)
    geo_lon = models.FloatField(null=True, blank=True, editable=False)
    # Paid visibility (TOP, spotlight) running until then: a relevance boost; set by promotions.
    promoted_until = models.DateTimeField(_("promoted until"), null=True, blank=True, editable=False)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        indexes = [
            # Category pages: newest first within a leaf.
            models.Index(
                F("category"),
                F("refreshed_at").desc(),
                F("id").desc(),
                name="listing_srp_cat_fresh",
                include=SRP_INCLUDE,
                condition=Q(status="active"),
            ),
            # Home "recent", all-categories browse and top-category subtrees.
            models.Index(
                F("refreshed_at").desc(),
                F("id").desc(),
                name="listing_srp_fresh",
                include=SRP_INCLUDE,
                condition=Q(status="active"),
            ),
            # Price sorts within a leaf (exchange-only listings, without a price, last both ways).
            models.Index(
                F("category"),
                F("price_uzs").asc(nulls_last=True),
                F("id"),
                name="listing_srp_cat_price",
                include=SRP_INCLUDE_PRICED,
                condition=Q(status="active"),
            ),
            models.Index(
                F("category"),
                OrderBy(F("price_uzs"), descending=True, nulls_last=True),
                F("id").desc(),
                name="listing_srp_cat_price_desc",
                include=SRP_INCLUDE_PRICED,
                condition=Q(status="active"),
            ),
            GinIndex(fields=["facet_values"], name="listing_srp_facets", condition=Q(status="active")),
            GinIndex(fields=["search_vector"], name="listing_srp_text", condition=Q(status="active")),
            models.Index(
                fields=["location", "-refreshed_at"], name="listing_active_loc_fresh", condition=Q(status="active")
            ),
            # "Near me": distance sort and radius filter (earthdistance's cube of the point).
            GistIndex(
                models.Func(F("geo_lat"), F("geo_lon"), function="ll_to_earth"),
                name="listing_srp_geo",
                condition=Q(status="active", geo_lat__isnull=False, geo_lon__isnull=False),
            ),
            # Seller dashboard tabs.
            models.Index(fields=["owner", "status", "-created_at"], name="listing_owner_status"),
            # The moderators' review queue, oldest first (classifieds.moderation; docs/moderation-benchmark.md).
            models.Index(fields=["updated_at", "id"], name="listing_review_queue", condition=Q(status="pending")),
            # Expiry sweep.
            models.Index(fields=["expires_at"], name="listing_active_expiry", condition=Q(status="active")),
        ]
        constraints = [
            models.CheckConstraint(
                # A draft is saved at every step of the wizard, before its price is typed.
                condition=Q(price_type="amount", price__isnull=False, price__gte=0)
                | ~Q(price_type="amount")
                | Q(status__in=["draft", "deleted"], price__isnull=True),  # a draft deleted before it had a price
                name="listing_amount_has_price",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("listings:detail", kwargs={"pk": self.pk, "slug": self.slug or "item"})

    @property
    def is_visible(self) -> bool:
        """Found by buyers: the instance twin of ``Listing.objects.active()``."""
        return self.status == self.Status.ACTIVE and self.expires_at is not None and self.expires_at > timezone.now()

    @property
    def is_public(self) -> bool:
        """Its page may be opened by anyone: the instance twin of ``Listing.objects.public()``."""
        return self.status in lifecycle.PUBLIC

    @property
    def rejection_reason_label(self) -> str:
        """The reason its seller reads, in the active language (older free-text reasons as they were)."""
        if self.rejection_reason in RejectionReason.values:
            return str(RejectionReason(self.rejection_reason).label)
        return self.rejection_reason

    @property
    def cover(self):
        photos = getattr(self, "card_photos", None)  # set by for_cards()
        if photos is None:
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
            return plain_decimal(self.value_number)
        return self.value_text
