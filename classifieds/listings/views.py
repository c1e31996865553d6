"""Browse pages: home, the search-results page (search, category, category + location), listing detail."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from classifieds.core.htmx import render_page
from classifieds.core.pagination import page_links, page_url, paginate, parse_page_number
from classifieds.core.phones import mask_phone
from classifieds.promotions.placement import spotlight_cards
from classifieds.search import facets as search_facets
from classifieds.search import filters
from classifieds.search.backends import get_search_backend
from classifieds.search.catalog import current_catalog
from classifieds.search.query import ListingQuery
from classifieds.seo import structured
from classifieds.seo.meta import breadcrumb_ld, item_list_ld, page_meta
from classifieds.taxonomy.models import Category, Location

from . import services
from .models import Listing

REVEALED_SESSION_KEY = "revealed_phones"


def _category_url(category: Category, location: Location | None = None) -> str:
    if location is None:
        return reverse("listings:category", kwargs={"category_slug": category.slug})
    return reverse(
        "listings:category_location", kwargs={"category_slug": category.slug, "location_slug": location.slug}
    )


@require_GET
def home(request: HttpRequest) -> TemplateResponse:
    """Home: category tiles and the newest listings."""
    categories = list(Category.objects.roots().order_by("order", "pk"))
    recent = list(Listing.objects.active().for_cards().newest()[:24])
    meta = page_meta(
        lambda: reverse("listings:home"),
        title=_("Bozor — free classifieds in Uzbekistan"),
        description=_("Buy and sell cars, apartments, phones, jobs and more across Uzbekistan."),
        json_ld=[structured.website(), structured.organization()],
    )
    return render_page(
        request,
        "listings/home.html",
        {"categories": categories, "recent": recent, "spotlight": spotlight_cards(), "meta": meta},
    )


@require_GET
def search_page(
    request: HttpRequest, category_slug: str | None = None, location_slug: str | None = None
) -> HttpResponse:
    """The search-results page: /search/, a category subtree, or a category subtree in a place."""
    catalog = current_catalog()
    language = get_language() or settings.LANGUAGE_CODE
    category = location = None
    if category_slug is not None:
        category, current = catalog.category_by_slug(category_slug, language)
        if category is None:
            raise Http404(_("No such category."))
        if location_slug is not None:
            location = catalog.location_slugs.get(location_slug)
            if location is None:
                raise Http404(_("No such place."))
        if not current:
            target = _category_url(category, location)
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    path = _srp_url(category, location)

    # A submitted form sends empty fields and defaults: keep addresses short and shareable.
    tidy = filters.tidy_pairs(request.GET)
    tidy_url = f"{path}?{urlencode(tidy)}" if tidy else path
    if tidy != [(k, v) for k, values in request.GET.lists() for v in values] and not request.htmx:
        return redirect(tidy_url)

    filterset, schema = filters.bind_filterset(category, request.GET)
    params = filters.valid_params(filterset)
    query = filters.listing_query(
        filterset, schema=schema, category=category, location=location, page=parse_page_number(request)
    )
    results = get_search_backend().search(
        query, load=lambda ids: Listing.objects.cards_in_bulk(ids, locations=catalog.locations)
    )
    page = paginate(request, results)
    pinned = _pinned(results.pinned_ids)
    if pinned:  # a pinned listing is not shown twice on its page
        page.object_list = [listing for listing in page.object_list if listing.pk not in results.pinned_ids]
    facets = results.facets

    ancestors = catalog.ancestors(category) if category else []
    children = catalog.category_children.get(category.pk if category else None, [])
    places = catalog.location_children.get(location.pk if location else None, [])
    groups = search_facets.facet_groups(schema, params, facets, filterset.form)
    q = params.get("q", "")

    crumbs = [(_("Home"), reverse("listings:home"))]
    if category is None:
        crumbs.append((_("Search results"), path))
    else:
        crumbs += [(c.name, _category_url(c)) for c in ancestors]
        crumbs.append((category.name, _category_url(category)))
        if location is not None:
            crumbs.append((location.name, _category_url(category, location)))
    if category is None:
        heading = _("Search results for “%(q)s”") % {"q": q} if q else _("All listings")
    else:
        heading = f"{category.name} — {location.name}" if location else category.name
        if q:
            heading = _("“%(q)s” in %(place)s") % {"q": q, "place": heading}
    # Canonical: the base page with its main query; filters and sorts are variations of it.
    canonical = [("q", q)] if q else []
    if page.number > 1:
        canonical.append(("page", str(page.number)))
    prev_url = page_url(path, params, page.previous_page_number()) if page.has_previous() else ""
    next_url = page_url(path, params, page.next_page_number()) if page.has_next() else ""
    deep = _filter_depth(query) >= 2 or not page.paginator.count
    meta = page_meta(
        lambda: _srp_url(category, location),
        query=urlencode(canonical),
        title=_("%(heading)s — page %(page)s") % {"heading": heading, "page": page.number}
        if page.number > 1
        else heading,
        description=_("%(count)s listings in %(heading)s on Bozor.")
        % {"count": page.paginator.count, "heading": heading},
        robots="noindex,follow" if deep else "index,follow",
        json_ld=[breadcrumb_ld(crumbs), item_list_ld([listing.get_absolute_url() for listing in page.object_list])],
        prev_url=prev_url,
        next_url=next_url,
    )
    context = {
        "category": category,
        "location": location,
        "ancestors": ancestors,
        "path": path,
        "filterset": filterset,
        "form": filterset.form,
        "params": params,
        "q": q,
        "results": results,
        "page": page,
        "pinned": pinned,
        "spotlight": spotlight_cards(category=category, limit=4) if category is not None and page.number == 1 else [],
        "page_links": page_links(path, params, page),
        "groups": groups,
        "category_links": search_facets.category_links(children, facets, lambda c: _srp_url(c, location), params),
        "location_links": search_facets.location_links(places, facets, lambda place: _srp_url(category, place), params)
        if category is not None
        else [],
        "price_links": search_facets.price_links(path, params, facets),
        "price_label": filters.price_label(category),
        "photo_count": search_facets.photo_count(facets),
        "chips": search_facets.chips(path, params, schema, groups),
        "clear_url": search_facets.url_with(path, QueryDict(urlencode([("q", q)] if q else []))),
        "heading": heading,
        "crumbs": crumbs,
        "meta": meta,
    }
    target = request.htmx.target if request.htmx else None
    partial = "results" if target == "results" else "srp"
    response = render_page(request, "listings/search.html", context, partial=partial, targets=("srp", "results"))
    if request.htmx:
        response["HX-Push-Url"] = page_url(path, params, page.number)
    return response


def _srp_url(category: Category | None, location: Location | None = None) -> str:
    return reverse("listings:search") if category is None else _category_url(category, location)


def _filter_depth(query: ListingQuery) -> int:
    """How many filter values narrow the page (deep combinations are not indexed)."""
    return (
        sum(len(option.values) for option in query.options)
        + len(query.ranges)
        + int(query.has_price)
        + int(query.with_photo)
    )


def _pinned(ids: list[int]) -> list[Listing]:
    """Promoted listings shown above the results, flagged for the card's badge."""
    if not ids:
        return []
    rows = Listing.objects.for_cards().in_bulk(ids)
    pinned = [rows[i] for i in ids if i in rows]
    for listing in pinned:
        listing.is_promoted = True
    return pinned


def _load_listing(pk: int) -> Listing:
    """A listing anyone may open (``Listing.objects.public()``); anything else is 404."""
    listing = (
        Listing.objects.public()
        .select_related("owner", "category", "location")
        .prefetch_related("photos", "attribute_values__attribute", "attribute_values__option")
        .filter(pk=pk)
        .first()
    )
    if listing is None:
        raise Http404(_("This listing is not available."))
    return listing


def _revealed(request: HttpRequest) -> set[int]:
    return set(request.session.get(REVEALED_SESSION_KEY, []))


@require_GET
def listing_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    """A listing; a wrong or missing slug redirects permanently to the canonical URL."""
    listing = _load_listing(pk)
    canonical = listing.get_absolute_url()
    if slug != listing.slug:
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)

    available = listing.is_visible
    if available and "photo" not in request.GET:  # browsing the gallery without JS is not another view
        services.listing_record_view(listing=listing)
    category_path = listing.category.ancestors(include_self=True)
    crumbs = [(_("Home"), reverse("listings:home"))] + [(c.name, _category_url(c)) for c in category_path]
    similar = list(
        Listing.objects.active()
        .in_category(listing.category)
        .exclude(pk=listing.pk)
        .for_cards()
        .newest()[: 8 if available else 12]
    )
    attributes = _attribute_rows(listing)
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
        "meta": meta,
    }
    return TemplateResponse(request, "listings/detail.html", context)


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


def _attribute_rows(listing: Listing) -> list[dict]:
    """(label, value with unit) per attribute in schema order; multichoice joined."""
    rows: dict[int, dict] = {}
    for value in sorted(listing.attribute_values.all(), key=lambda v: (v.attribute.order, v.attribute_id)):
        attribute = value.attribute
        row = rows.setdefault(
            attribute.pk, {"key": attribute.key, "label": attribute.label, "unit": attribute.unit, "values": []}
        )
        row["values"].append(value.display_value)
    for row in rows.values():
        row["value"] = ", ".join(row["values"])
        row["display"] = f"{row['value']} {row['unit']}".strip() if row["unit"] else row["value"]
    return list(rows.values())


@require_POST
def listing_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the seller's phone: counted once per visitor; htmx swaps it in, otherwise PRG.

    New numbers are limited per visitor and per IP (``PHONE_REVEAL_LIMITS``), so
    nobody harvests sellers' phones: over the limit the answer is 429 with the
    message (the fragment for htmx, a page otherwise) and nothing is counted.
    """
    from classifieds.accounts import limits

    listing = _load_listing(pk)
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
                "title": _("Too many phone numbers viewed"),
                "message": message,
                "next_url": f"{listing.get_absolute_url()}#phone",
            }
            return TemplateResponse(request, "accounts/limited.html", context, status=429)
    services.listing_reveal_phone(listing=listing, already_revealed=pk in revealed)
    revealed.add(pk)
    request.session[REVEALED_SESSION_KEY] = sorted(revealed)[-200:]
    if request.htmx:
        return TemplateResponse(
            request,
            "listings/detail.html#phone",
            {"listing": listing, "phone_shown": True, "available": True},
        )
    return redirect(f"{listing.get_absolute_url()}#phone")
