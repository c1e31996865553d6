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
from classifieds.core.pagecache import cache_anonymous_page, valid_until
from classifieds.listings.models import Listing
from classifieds.listings.pagestamps import ANY_LISTING, EVERYWHERE
from classifieds.promotions.placement import spotlight_cards
from classifieds.seo import structured
from classifieds.seo.meta import page_meta
from classifieds.taxonomy.snapshot import taxonomy_snapshot


def _record_cached_impressions(request: HttpRequest, *, replay: object = None) -> None:
    """A cached home page still shows its cards: their impressions count as on a fresh one."""
    if replay:
        record_many(request, kind=EventKind.IMPRESSION, listing_ids=list(replay))


@require_GET
@cache_anonymous_page(stamps=lambda request: [EVERYWHERE, ANY_LISTING], on_hit=_record_cached_impressions)
def home(request: HttpRequest) -> TemplateResponse:
    """Home: category tiles and the newest listings."""
    categories = taxonomy_snapshot().subcategories(None)
    recent = list(Listing.objects.active().for_cards().newest()[:24])
    spotlight = spotlight_cards()
    shown = [x.pk for x in spotlight] + [x.pk for x in recent]
    record_many(request, kind=EventKind.IMPRESSION, listing_ids=shown)
    valid_until(min((listing.expires_at for listing in recent if listing.expires_at), default=None))
    meta = page_meta(
        lambda: reverse("web:home"),
        title=_("Bozor — free classifieds in Uzbekistan"),
        description=_("Buy and sell cars, apartments, phones, jobs and more across Uzbekistan."),
        json_ld=[structured.website(), structured.organization()],
    )
    response = render_page(
        request,
        "web/home.html",
        {"categories": categories, "recent": recent, "spotlight": spotlight, "meta": meta},
    )
    response.page_cache_replay = shown
    return response
