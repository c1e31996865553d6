"""A listing's page (its gallery, the seller's phone behind a button) and a seller's public page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classifieds.accounts import limits
from classifieds.analytics.events import is_bot, record
from classifieds.analytics.models import EventKind
from classifieds.core.htmx import render_page
from classifieds.core.httpcache import conditional_page
from classifieds.core.pagecache import cache_anonymous_page, valid_until
from classifieds.core.pagination import page_url, paginate
from classifieds.core.phones import mask_phone
from classifieds.seo import structured
from classifieds.seo.meta import breadcrumb_ld, page_meta
from classifieds.taxonomy.paths import srp_path

from . import notices, services
from .display import attribute_rows
from .lifecycle import ListingActionNotAllowed
from .loaders import load_public_listing
from .models import Listing
from .pagestamps import EVERYWHERE, listing_stamp

REVEALED_SESSION_KEY = "revealed_phones"


def _revealed(request: HttpRequest) -> set[int]:
    return set(request.session.get(REVEALED_SESSION_KEY, []))


def _detail_stamps(request: HttpRequest, pk: int, slug: str | None = None) -> list[str]:
    return [EVERYWHERE, listing_stamp(pk)]


def _count_cached_view(request: HttpRequest, pk: int, slug: str | None = None, *, replay: object = None) -> None:
    """A cached detail page is still a view (only visible listings' pages are cached), for the counter and the
    seller's statistics alike."""
    if _a_view(request):
        services.listing_record_view(listing=Listing(pk=pk))
        record(request, kind=EventKind.VIEW, listing_id=pk)


def _a_view(request: HttpRequest) -> bool:
    """A person looking at the listing: not a crawler, a link preview or a monitor (the seller would see them as
    interest), and not the next photo of a gallery browsed without JS."""
    return "photo" not in request.GET and not is_bot(request)


@require_GET
@cache_anonymous_page(stamps=_detail_stamps, on_hit=_count_cached_view)
def listing_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    """A listing; a wrong or missing slug redirects permanently to the canonical URL."""
    listing = load_public_listing(pk)
    canonical = listing.get_absolute_url()
    if slug != listing.slug:
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)

    available = listing.is_visible
    if available and _a_view(request):
        services.listing_record_view(listing=listing)
        record(request, kind=EventKind.VIEW, listing_id=listing.pk)
    category_path = listing.category.ancestors(include_self=True)
    crumbs = [(_("Home"), reverse("web:home"))] + [(c.name, srp_path(c)) for c in category_path]
    similar = list(
        Listing.objects.active()
        .in_category(listing.category)
        .exclude(pk=listing.pk)
        .for_cards()
        .newest()[: 8 if available else 12]
    )
    valid_until(min((x.expires_at for x in [listing, *similar] if x.expires_at), default=None))
    attributes = attribute_rows(listing)
    photos = [photo for photo in listing.photos.all() if photo.status == "ready"]  # never a raw upload
    gallery = _gallery(listing, photos)
    shown = gallery[_photo_number(request, len(gallery)) - 1] if gallery else None
    meta = page_meta(
        lambda: listing.get_absolute_url(),
        title=f"{listing.title} — {listing.location.name}",
        description=listing.description[:160],
        robots="index,follow" if available else "noindex,follow",
        og_type="product",
        og_image=photos[0].image.url if photos else "",
        json_ld=[breadcrumb_ld(crumbs), structured.product(listing, photos, attributes, available=available)],
    )
    context = {
        "listing": listing,
        "available": available,
        "photos": photos,
        "gallery": gallery,
        "shown": shown,
        "attributes": attributes,
        "similar": similar,
        "crumbs": crumbs,
        "phone_shown": pk in _revealed(request),
        "masked_phone": mask_phone(listing.contact_phone),
        "seller_active_count": Listing.objects.active().filter(owner_id=listing.owner_id).count(),
        "meta": meta,
    }
    # A visitor's copy stays good until the listing or the similar ones shown with it change (or their
    # own state: conditional_page's ETag is the page itself): a 304 instead of the page.
    changed = max([listing.updated_at, *(other.updated_at for other in similar)])
    response = conditional_page(
        request, TemplateResponse(request, "listings/detail.html", context), last_modified=changed
    )
    response.page_cacheable = available  # a sold listing's page is rare; a cached one would count no views
    return response


def _gallery(listing: Listing, photos: list) -> list[dict]:
    """Each photo with its number, its neighbours' (wrapping around) and its alt text."""
    count = len(photos)
    return [
        {
            "photo": photo,
            "number": number,
            "prev": (number - 2) % count + 1,
            "next": number % count + 1,
            "alt": _("%(title)s, photo %(n)s") % {"title": listing.title, "n": number},
        }
        for number, photo in enumerate(photos, start=1)
    ]


def _photo_number(request: HttpRequest, count: int) -> int:
    """The photo shown large: ``?photo=N`` (1-based), the first one when missing or out of range."""
    raw = request.GET.get("photo", "")
    number = int(raw) if raw.isdigit() and len(raw) < 4 else 1
    return number if 1 <= number <= count else 1


@require_POST
def listing_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the seller's phone: counted once per visitor; htmx swaps it in, otherwise PRG.

    New numbers are limited per visitor and per IP (``PHONE_REVEAL_LIMITS``), so
    nobody harvests sellers' phones: over the limit the answer is 429 with the
    message (the fragment for htmx, a page otherwise) and nothing is counted.
    """
    listing = load_public_listing(pk)
    if not listing.is_visible or not listing.contact_phone:
        raise Http404(_("This phone number is not available."))
    revealed = _revealed(request)
    if pk not in revealed:  # showing a number again reveals nothing new
        if request.user.is_authenticated:
            visitor = f"user:{request.user.pk}"
        else:
            if not request.session.session_key:
                request.session.save()
            visitor = f"session:{request.session.session_key}"
        try:
            limits.phone_reveal_consume(
                visitor=visitor, ip=limits.client_ip(request), signed_in=request.user.is_authenticated
            )
        except limits.Limited as exc:
            if exc.scope == limits.UNAVAILABLE:
                message = _("Phone numbers are temporarily unavailable. Please try again in a minute.")
            else:
                message = _("You have viewed many phone numbers. You can see more in %(wait)s.") % {
                    "wait": limits.wait_text(exc.retry_after())
                }
            if request.htmx:
                context = {
                    "listing": listing,
                    "phone_shown": False,
                    "available": True,
                    "masked_phone": mask_phone(listing.contact_phone),
                    "reveal_error": message,
                }
                return TemplateResponse(request, "listings/detail.html#phone", context, status=429)
            context = {
                "meta": None,
                "title": (
                    _("Temporarily unavailable")
                    if exc.scope == limits.UNAVAILABLE
                    else _("Too many phone numbers viewed")
                ),
                "message": message,
                "next_url": f"{listing.get_absolute_url()}#phone",
            }
            return TemplateResponse(request, "accounts/limited.html", context, status=429)
    if services.listing_reveal_phone(listing=listing, already_revealed=pk in revealed):
        record(request, kind=EventKind.PHONE_REVEAL, listing_id=listing.pk)
    revealed.add(pk)
    request.session[REVEALED_SESSION_KEY] = sorted(revealed)[-200:]
    if request.htmx:
        return TemplateResponse(
            request,
            "listings/detail.html#phone",
            {"listing": listing, "phone_shown": True, "available": True},
        )
    return redirect(f"{listing.get_absolute_url()}#phone")


@require_GET
def seller_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A seller's public page: name, member since and their active listings."""
    seller = get_object_or_404(get_user_model().objects.public(), pk=pk)
    listings = Listing.objects.active().filter(owner=seller).for_cards().newest()
    page = paginate(request, listings)
    name = str(seller.public_name)
    meta = page_meta(
        lambda: reverse("listings:seller", kwargs={"pk": seller.pk}),
        query=f"page={page.number}" if page.number > 1 else "",
        title=_("%(name)s on Bozor") % {"name": name},
        description=_("Listings of %(name)s on Bozor, on the site since %(date)s.")
        % {"name": name, "date": seller.date_joined.strftime("%Y")},
        robots="index,follow" if page.paginator.count else "noindex,follow",
        og_type="profile",
        prev_url=page_url(request.path, request.GET, page.previous_page_number()) if page.has_previous() else "",
        next_url=page_url(request.path, request.GET, page.next_page_number()) if page.has_next() else "",
    )
    context = {"seller": seller, "page": page, "meta": meta}
    return render_page(request, "listings/seller.html", context, fragments={"results": "results"})


@require_http_methods(["GET", "POST"])
def listing_extend(request: HttpRequest, token: str) -> HttpResponse:
    """The "expires soon" notice's one-click extend: GET asks, POST extends (the signed token is the credential)."""
    meta = page_meta(
        lambda: reverse("listings:extend", kwargs={"token": token}),
        title=_("Extend the listing"),
        robots="noindex,nofollow",
    )
    parsed = notices.read_extend_token(token)
    listing = (
        Listing.objects.select_related("category").filter(pk=parsed[0], owner_id=parsed[1]).first() if parsed else None
    )
    if listing is None:
        return TemplateResponse(request, "listings/extend.html", {"invalid": True, "meta": meta}, status=400)
    error, done = "", False
    if request.method == "POST":
        try:
            listing = services.listing_extend(listing=listing, actor=listing.owner)
            done = True
        except ListingActionNotAllowed as exc:
            error = exc.message
    context = {"listing": listing, "done": done, "error": error, "meta": meta}
    return TemplateResponse(request, "listings/extend.html", context, status=409 if error else 200)
