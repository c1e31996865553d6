"""The home page: category tiles, the spotlight carousel and the newest listings."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classifieds.analytics.events import record_many
from classifieds.analytics.models import EventKind
from classifieds.core.htmx import render_page
from classifieds.listings.models import Listing
from classifieds.promotions.placement import spotlight_cards
from classifieds.seo import structured
from classifieds.seo.meta import page_meta
from classifieds.taxonomy.snapshot import taxonomy_snapshot


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    """Home: category tiles and the newest listings."""
    categories = taxonomy_snapshot().subcategories(None)
    recent = list(Listing.objects.active().for_cards().newest()[:24])
    spotlight = spotlight_cards()
    record_many(request, kind=EventKind.IMPRESSION, listing_ids=[x.pk for x in spotlight] + [x.pk for x in recent])
    meta = page_meta(
        lambda: reverse("web:home"),
        title=_("Bozor — free classifieds in Uzbekistan"),
        description=_("Buy and sell cars, apartments, phones, jobs and more across Uzbekistan."),
        json_ld=[structured.website(), structured.organization()],
    )
    return render_page(
        request,
        "web/home.html",
        {"categories": categories, "recent": recent, "spotlight": spotlight, "meta": meta},
    )
