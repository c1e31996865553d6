"""Crawl files."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET


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
