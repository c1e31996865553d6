"""The favorite button (the /saved/ page that lists favorites is ``classifieds.web.views.saved``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from classifieds.analytics.events import record
from classifieds.analytics.models import EventKind
from classifieds.listings.models import Listing

from . import services
from .models import Favorite
from .session import session_favorite_ids, session_toggle


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
    if is_favorite:
        record(request, kind=EventKind.FAVORITE, listing_id=listing.pk)
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
