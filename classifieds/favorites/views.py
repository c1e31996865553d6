"""The favorite button and the /saved/ page (favorites and saved searches)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from classifieds.core.htmx import render_page
from classifieds.listings.models import Listing
from classifieds.savedsearches.views import saved_searches_context
from classifieds.seo.meta import page_meta

from . import services
from .models import Favorite
from .session import session_favorite_ids, session_favorites, session_toggle


def safe_next(request: HttpRequest, fallback: str) -> str:
    """``next`` from the form when it points to this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def favorite_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or remove a favorite: htmx gets the new button, a plain form goes back to ``next``."""
    listing = get_object_or_404(Listing, pk=pk)
    if request.user.is_authenticated:
        kept = Favorite.objects.filter(user=request.user, listing=listing).exists()
    else:
        kept = pk in session_favorite_ids(request.session)
    # Buyers may keep what they can open; a favorite can always be removed, whatever became of it.
    if not kept and not listing.is_public:
        raise Http404
    if request.user.is_authenticated:
        is_favorite = services.favorite_toggle(user=request.user, listing=listing)
    else:
        is_favorite = session_toggle(request.session, listing)
    back = safe_next(request, f"{listing.get_absolute_url()}#fav-{listing.pk}")
    if request.htmx:
        return TemplateResponse(
            request,
            "favorites/partials/button.html",
            {
                "listing": listing,
                "favorite_ids": {listing.pk} if is_favorite else set(),
                "favorite_next": back.split("#")[0],
            },
        )
    return redirect(back)


@dataclass
class SavedItem:
    listing: Listing
    saved_price: Decimal | None
    saved_currency: str
    saved_at: datetime

    @property
    def state(self) -> str:
        """active, sold, expired or unavailable (never silently dropped from the list)."""
        if self.listing.is_visible:
            return "active"
        if self.listing.status == Listing.Status.SOLD:
            return "sold"
        if self.listing.status in (Listing.Status.EXPIRED, Listing.Status.ACTIVE):
            return "expired"
        return "unavailable"

    @property
    def price_change(self) -> str:
        """Whether the price went "down" or "up" (or "") compared with the price when saved (same currency only)."""
        current = self.listing.price if self.listing.price_type == Listing.PriceType.AMOUNT else None
        if current is None or self.saved_price is None or self.saved_currency != self.listing.currency:
            return ""
        if current < self.saved_price:
            return "down"
        if current > self.saved_price:
            return "up"
        return ""


def _saved_items(request: HttpRequest) -> list[SavedItem]:
    if request.user.is_authenticated:
        rows = Favorite.objects.of(request.user).newest().select_related("listing__location")
        items = [SavedItem(f.listing, f.saved_price, f.saved_currency, f.created_at) for f in rows]
    else:
        entries = session_favorites(request.session)
        listings = Listing.objects.select_related("location").in_bulk([e.listing_id for e in entries])
        items = [
            SavedItem(listings[e.listing_id], e.saved_price, e.saved_currency, e.created_at)
            for e in entries
            if e.listing_id in listings
        ]
    return [item for item in items if item.listing.status != Listing.Status.DELETED]


@require_GET
def saved_page(request: HttpRequest) -> HttpResponse:
    """Favorites (newest first, with their current state) and saved searches with new matches."""
    items = _saved_items(request)
    meta = page_meta(lambda: reverse("favorites:saved"), title=_("Saved"), robots="noindex,nofollow")
    context = {"items": items, "meta": meta, **saved_searches_context(request)}
    return render_page(request, "favorites/saved.html", context)
