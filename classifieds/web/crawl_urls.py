# Crawl files: no language prefix, no namespace.
from django.urls import path

from .views import crawl

urlpatterns = [
    path("robots.txt", crawl.robots_txt, name="robots_txt"),
    path("favicon.ico", crawl.favicon, name="favicon"),
    path("sitemap.xml", crawl.sitemap_index, name="sitemap_index"),
    path("sitemap-<slug:section>.xml", crawl.sitemap_section, name="sitemap_section"),
]
