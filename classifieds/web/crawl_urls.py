# Crawl files: no language prefix, no namespace (the sitemap views reverse these names).
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.cache import cache_page

from .sitemaps import SITEMAPS
from .views import crawl

urlpatterns = [
    path("robots.txt", crawl.robots_txt, name="robots_txt"),
    path("favicon.ico", crawl.favicon, name="favicon"),
    path(
        "sitemap.xml",
        cache_page(60 * 60)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(60 * 60)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
