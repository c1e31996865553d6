"""/saved/: the visitor's favorites and, signed in, their saved searches with new matches."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classifieds.core.htmx import render_page
from classifieds.favorites.items import saved_items
from classifieds.savedsearches.overview import saved_searches_context
from classifieds.seo.meta import page_meta


@require_GET
def saved_page(request: HttpRequest) -> HttpResponse:
    """Favorites (newest first, with their current state) and saved searches with new matches."""
    meta = page_meta(lambda: reverse("web:saved"), title=_("Saved"), robots="noindex,nofollow")
    context = {"items": saved_items(request), "meta": meta, **saved_searches_context(request)}
    return render_page(request, "favorites/saved.html", context)
