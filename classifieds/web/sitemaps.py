"""Sitemaps for crawlers: categories (both languages) and active listings."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap

from classifieds.listings.models import Listing
from classifieds.taxonomy.models import Category
from classifieds.taxonomy.paths import srp_path


class _Base(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    protocol = None  # taken from BASE_URL by the view

    def get_domain(self, site=None) -> str:  # no django.contrib.sites
        from urllib.parse import urlparse

        from django.conf import settings

        return urlparse(settings.BASE_URL).netloc


class CategorySitemap(_Base):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Category.objects.order_by("path")

    def location(self, category: Category) -> str:
        return srp_path(category)


class ListingSitemap(_Base):
    changefreq = "daily"
    limit = 10000

    def items(self):
        return Listing.objects.active().only("pk", "slug", "refreshed_at").order_by("pk")

    def lastmod(self, listing: Listing):
        return listing.refreshed_at


SITEMAPS = {"categories": CategorySitemap, "listings": ListingSitemap}
