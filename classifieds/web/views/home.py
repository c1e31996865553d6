"""The home page: category tiles, the spotlight carousel and the newest listings."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classifieds.core.htmx import render_page
from classifieds.core.pagecache import cache_anonymous_page, valid_until
from classifieds.listings.models import Listing
from classifieds.listings.pagestamps import ANY_LISTING, EVERYWHERE
from classifieds.promotions.placement import spotlight_cards
from classifieds.seo import structured
from classifieds.seo.meta import page_meta
from classifieds.taxonomy.snapshot import taxonomy_snapshot


@require_GET
@cache_anonymous_page(stamps=lambda request: [EVERYWHERE, ANY_LISTING])
def home(request: HttpRequest) -> TemplateResponse:
    """Home: category tiles and the newest listings."""
    categories = taxonomy_snapshot().subcategories(None)
    recent = list(Listing.objects.active().for_cards().newest()[:24])
    valid_until(min((listing.expires_at for listing in recent if listing.expires_at), default=None))
    meta = page_meta(
        lambda: reverse("web:home"),
        title=_("Bozor — free classifieds in Uzbekistan"),
        description=_("Buy and sell cars, apartments, phones, jobs and more across Uzbekistan."),
        json_ld=[structured.website(), structured.organization()],
    )
    return render_page(
        request,
        "web/home.html",
        {"categories": categories, "recent": recent, "spotlight": spotlight_cards(), "meta": meta},
    )
