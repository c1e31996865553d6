"""Catalog: the category tree with attribute schemas, and the location tree.

Names, labels and category slugs are translated with django-modeltranslation
(``name_ru``/``name_uz`` columns); ``path`` holds the ids from the root down to
the row itself, so a subtree is ``path @> {id}`` on one indexed column.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class TreeQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)

    def subtree_of(self, node):
        """The node and all its descendants."""
        return self.filter(path__contains=[node.pk])


class TreeNode(models.Model):
    """What categories and locations share: a parent, an order and a path."""

    order = models.PositiveIntegerField(_("order"), default=0)
    path = ArrayField(models.IntegerField(), default=list, editable=False, help_text=_("ids from the root"))

    objects = TreeQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def depth(self) -> int:
        return max(len(self.path) - 1, 0)

    def ancestor_ids(self) -> list[int]:
        return list(self.path[:-1])

    def ancestors(self, include_self: bool = False) -> list:
        """Root first. One query (ids come from ``path``)."""
        ids = list(self.path if include_self else self.path[:-1])
        by_id = type(self)._default_manager.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class PricePeriod(models.TextChoices):
    """What a listing's price pays for: the item, or a month/day/hour of it (rent, salary, services)."""

    ONCE = "once", _("one-off price")
    MONTH = "month", _("per month")
    DAY = "day", _("per day")
    HOUR = "hour", _("per hour")


class Category(TreeNode):
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    is_leaf = models.BooleanField(_("leaf"), default=True, help_text=_("listings can be posted here"))
    icon = models.CharField(_("icon"), max_length=40, blank=True, help_text=_("icon name from static/img/icons"))
    requires_moderation = models.BooleanField(_("pre-moderation"), default=False)
    listing_lifetime_days = models.PositiveSmallIntegerField(_("listing lifetime, days"), default=30)
    free_listings_per_30_days = models.PositiveSmallIntegerField(
        _("free listings per 30 days"), null=True, blank=True, help_text=_("empty: unlimited")
    )
    price_periods = ArrayField(
        models.CharField(max_length=8, choices=PricePeriod.choices),
        verbose_name=_("price periods"),
        default=list,
        blank=True,
        help_text=_("what a price may be per, the default first; empty: a one-off price"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        indexes = [GinIndex(fields=["path"], name="category_path_gin")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from .paths import srp_path

        return srp_path(self)

    @property
    def price_period_choices(self) -> list[str]:
        """The periods a price in this category may have, its default first (a one-off price when none)."""
        return list(self.price_periods) or [PricePeriod.ONCE]

    @property
    def default_price_period(self) -> str:
        return self.price_period_choices[0]

    def schema(self) -> list[Attribute]:
        """Attributes of this category and every ancestor, ancestors first.

        Options are prefetched, so rendering the schema costs two queries.
        """
        attrs = (
            Attribute.objects.filter(category_id__in=self.path or [self.pk])
            .select_related("category")
            .prefetch_related("options")
        )
        depth = {cid: i for i, cid in enumerate(self.path or [self.pk])}
        return sorted(attrs, key=lambda a: (depth.get(a.category_id, 0), a.order, a.pk))


class Attribute(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("text")
        INTEGER = "integer", _("integer")
        DECIMAL = "decimal", _("decimal")
        BOOLEAN = "boolean", _("yes/no")
        CHOICE = "choice", _("choice")
        MULTICHOICE = "multichoice", _("multiple choice")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=120)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    required = models.BooleanField(_("required"), default=False)
    filterable = models.BooleanField(_("filterable"), default=False)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["category", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="attribute_key_unique_per_category")]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"

    @property
    def has_options(self) -> bool:
        return self.type in {self.Type.CHOICE, self.Type.MULTICHOICE}

    @property
    def is_numeric(self) -> bool:
        return self.type in {self.Type.INTEGER, self.Type.DECIMAL}


class AttributeOption(models.Model):
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.CASCADE, related_name="options"
    )
    value = models.SlugField(_("value"), max_length=60)
    label = models.CharField(_("label"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["attribute", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["attribute", "value"], name="option_value_unique")]

    def __str__(self) -> str:
        return self.label


class Location(TreeNode):
    class Kind(models.TextChoices):
        REGION = "region", _("region")
        CITY = "city", _("city")
        DISTRICT = "district", _("district")

    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["path"]
        indexes = [GinIndex(fields=["path"], name="location_path_gin")]

    def __str__(self) -> str:
        return self.name
