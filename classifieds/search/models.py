"""Data the PostgreSQL search backend keeps besides the denormalized listing columns."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class Synonym(models.Model):
    """Words that mean the same to buyers (айфон, iphone): a query with one also finds the others."""

    terms = ArrayField(
        models.CharField(max_length=60),
        verbose_name=_("terms"),
        help_text=_("Comma-separated words or phrases that should find each other."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " ⇄ ".join(self.terms)


class Term(models.Model):
    """A word of listing titles and with how many listings use it: the vocabulary typos are corrected to."""

    word = models.CharField(_("word"), max_length=60, primary_key=True)
    listings = models.PositiveIntegerField(_("listings"), default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_term_trgm")]

    def __str__(self) -> str:
        return self.word


class FacetCount(models.Model):
    """Precomputed counts of an unfiltered category page (category 0: all) in a region (0: everywhere).

    Refreshed periodically; read instead of counting live when a page has
    more active listings than the live counting bound.
    """

    pk = models.CompositePrimaryKey("category_id", "region_id", "value")
    category_id = models.IntegerField()
    region_id = models.IntegerField()
    value = models.IntegerField()
    count = models.IntegerField()

    class Meta:
        verbose_name = _("facet count")
        verbose_name_plural = _("facet counts")

    def __str__(self) -> str:
        return f"{self.category_id}/{self.region_id}/{self.value}={self.count}"
