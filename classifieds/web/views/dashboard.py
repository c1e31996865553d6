"""The seller's dashboard: /u/listings/ with a tab per status, and the actions on one listing."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from classifieds.accounts.decorators import login_required
from classifieds.core.htmx import render_page
from classifieds.core.pagination import paginate
from classifieds.listings import lifecycle, services
from classifieds.listings.loaders import load_own_listing
from classifieds.listings.models import Listing
from classifieds.media.models import ListingPhoto
from classifieds.promotions.placement import listing_promotion_status

S = Listing.Status
FRAGMENTS = {"dashboard": "dashboard"}
# Tab -> (label, filter). "expired" also holds active rows past their expiry the sweep has not reached yet.
TABS = {
    "active": (gettext_lazy("Active"), lambda now: Q(status=S.ACTIVE, expires_at__gt=now)),
    "pending": (gettext_lazy("Pending review"), lambda now: Q(status=S.PENDING)),
    "rejected": (gettext_lazy("Rejected"), lambda now: Q(status=S.REJECTED)),
    "expired": (gettext_lazy("Expired"), lambda now: Q(status=S.EXPIRED) | Q(status=S.ACTIVE, expires_at__lte=now)),
    "draft": (gettext_lazy("Drafts"), lambda now: Q(status=S.DRAFT)),
    "sold": (gettext_lazy("Sold"), lambda now: Q(status=S.SOLD)),
}
ACTIONS = {
    "sold": (services.listing_mark_sold, gettext_lazy("Marked as sold.")),
    "deactivate": (services.listing_deactivate, gettext_lazy("The listing is no longer shown.")),
    "reactivate": (services.listing_reactivate, gettext_lazy("The listing is back for another period.")),
    "delete": (services.listing_delete, gettext_lazy("The listing is deleted.")),
}


def _tab(request: HttpRequest, source) -> str:
    tab = source.get("tab", "active")
    return tab if tab in TABS else "active"


def _dashboard_context(request: HttpRequest, tab: str) -> dict:
    now = timezone.now()
    mine = Listing.objects.filter(owner=request.user).exclude(status=S.DELETED)
    counts = mine.aggregate(**{key: Count("pk", filter=condition(now)) for key, (_label, condition) in TABS.items()})
    rows = (
        mine.filter(TABS[tab][1](now))
        .select_related("category", "location")
        .defer("search_vector", "facet_values", "attrs_num")
        .order_by("-updated_at", "-pk")
    )
    page = paginate(request, rows, per_page=20)
    listings = list(page.object_list)
    covers = _covers(listings)
    promoted = listing_promotion_status([listing.pk for listing in listings])  # one query for the page
    for listing in listings:
        listing.cover_photo = covers.get(listing.pk)
        listing.promotion_status = promoted.get(listing.pk)
        listing.actions = lifecycle.allowed_actions(listing, now=now)  # the buttons the table allows
        left = (listing.expires_at - now) if listing.expires_at else None
        listing.days_left = max(0, left.days + (1 if left.seconds else 0)) if left and left > timedelta(0) else 0
    return {
        "tab": tab,
        "tabs": [{"key": key, "label": label, "count": counts[key]} for key, (label, _condition) in TABS.items()],
        "listings": listings,
        "page": page,
    }


def _covers(listings: list[Listing]) -> dict[int, object]:
    photos = (
        ListingPhoto.objects.filter(listing__in=listings, status=ListingPhoto.Status.READY)
        .order_by("listing_id", "order", "pk")
        .distinct("listing_id")
    )
    return {photo.listing_id: photo for photo in photos}


@login_required
@require_GET
def seller_listings(request: HttpRequest) -> HttpResponse:
    """The seller's listings by status, with counters, days left and actions."""
    context = _dashboard_context(request, _tab(request, request.GET))
    return render_page(request, "listings/dashboard.html", context, fragments=FRAGMENTS)


@login_required
@require_POST
def seller_listing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Mark sold, deactivate, reactivate or delete one of one's own listings (another seller's: 404)."""
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    listing = load_own_listing(request, pk)
    service, done = ACTIONS[action]
    try:
        service(listing=listing, actor=request.user)
    except services.ListingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    tab = _tab(request, request.POST)
    if request.htmx:  # the table with the action done; the message goes with it, out of band (middleware)
        return render_page(request, "listings/dashboard.html", _dashboard_context(request, tab), fragments=FRAGMENTS)
    return redirect(f"{reverse('web:seller_listings')}?tab={tab}")
