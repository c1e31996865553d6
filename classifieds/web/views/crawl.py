"""Crawl files."""

from __future__ import annotations

from datetime import UTC
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from classifieds.web import sitemaps


@require_GET
@cache_page(60 * 60)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: keep crawlers off private, POST-only and admin paths."""
    # Seller pages (/u/<id>/) are public and crawlable; the rest of /u/ is private.
    private = ["/admin/", "/auth/", "/post/", "/u/profile/", "/u/listings/", "/u/promote/", "/saved/", "/payments/"]
    lines = ["User-agent: *"]
    for prefix in ("", "/uz"):
        lines += [f"Disallow: {prefix}{path}" for path in private]
    lines += [
        "Disallow: /*/phone/",
        f"Sitemap: {settings.BASE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: the site icon, for browsers asking on pages that name none (Admin, images, JSON)."""
    # Temporary: the hashed name changes with the icon, and a permanent redirect is cached for ever.
    response = HttpResponseRedirect(static("img/logo.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


def _e(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _w3c(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _xml(lines: list[str]) -> HttpResponse:
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines), content_type="application/xml")


@require_GET
@cache_page(60 * 60)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every child sitemap, absolute from BASE_URL, with its lastmod."""
    lines = ['<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for section in sitemaps.sections():
        lines.append(f"<sitemap><loc>{_e(section.url)}</loc><lastmod>{_w3c(section.lastmod)}</lastmod></sitemap>")
    lines.append("</sitemapindex>")
    return _xml(lines)


@require_GET
@cache_page(60 * 60)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """/sitemap-<section>.xml: each page in every language with its alternates, lastmod and photos."""
    page = request.GET.get("p", "1")
    page = int(page) if page.isdigit() else 0
    if section == "categories" and page == 1:
        entries = sitemaps.category_entries()
    elif section == "places" and page == 1:
        entries = sitemaps.place_entries()
    elif section.startswith("listings-"):
        entries = sitemaps.listing_entries(section, page)
    else:
        entries = None
    if entries is None:
        raise Http404("No such sitemap.")
    lines = [
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml"'
        ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
    ]
    for entry in entries:
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{_e(url)}"/>' for code, url in entry.hreflangs()
        )
        images = "".join(f"<image:image><image:loc>{_e(url)}</image:loc></image:image>" for url in entry.images)
        for url in entry.urls.values():
            lines.append(f"<url><loc>{_e(url)}</loc><lastmod>{_w3c(entry.lastmod)}</lastmod>{links}{images}</url>")
    lines.append("</urlset>")
    return _xml(lines)
