"""Browse pages: home, category (and category + location), listing detail."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from classifieds.core.htmx import render_page
from classifieds.core.pagination import page_url, paginate
from classifieds.core.phones import mask_phone
from classifieds.seo import structured
from classifieds.seo.meta import breadcrumb_ld, item_list_ld, page_meta
from classifieds.taxonomy.models import Category, Location

from . import services
from .models import Listing

REVEALED_SESSION_KEY = "revealed_phones"


def _category_by_slug(slug: str) -> tuple[Category | None, bool]:
    """The category with this slug in the current language, else in another one.

    Returns (category, is_current_language_slug).
    """
    category = Category.objects.filter(slug=slug).first()
    if category is not None:
        return category, True
    for code, _name in settings.LANGUAGES:
        category = Category.objects.filter(**{f"slug_{code}": slug}).first()
        if category is not None:
            return category, False
    return None, False


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
        {"categories": categories, "recent": recent, "meta": meta},
    )


@require_GET
def category_page(request: HttpRequest, category_slug: str, location_slug: str | None = None) -> HttpResponse:
    """Active listings of a category subtree (optionally a location subtree), newest first."""
    category, current = _category_by_slug(category_slug)
    if category is None:
        raise Http404(_("No such category."))
    location = None
    if location_slug is not None:
        location = get_object_or_404(Location, slug=location_slug)
    if not current:
        target = _category_url(category, location)
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)

    listings = Listing.objects.active().in_category(category).in_location(location).for_cards().newest()
    page = paginate(request, listings)
    ancestors = category.ancestors()
    children = list(category.children.order_by("order", "pk"))
    if location is None:
        locations = list(Location.objects.roots().order_by("order", "name"))
    else:
        locations = list(location.children.order_by("order", "name"))

    crumbs = [(_("Home"), reverse("listings:home"))]
    crumbs += [(c.name, _category_url(c)) for c in ancestors]
    crumbs.append((category.name, _category_url(category)))
    if location is not None:
        crumbs.append((location.name, _category_url(category, location)))
    listing_urls = [listing.get_absolute_url() for listing in page.object_list]
    heading = f"{category.name} — {location.name}" if location else category.name
    meta = page_meta(
        lambda: _category_url(category, location),
        query=f"page={page.number}" if page.number > 1 else "",
        title=_("%(heading)s — page %(page)s") % {"heading": heading, "page": page.number}
        if page.number > 1
        else heading,
        description=_("%(count)s listings in %(heading)s on Bozor.")
        % {"count": page.paginator.count, "heading": heading},
        json_ld=[breadcrumb_ld(crumbs), item_list_ld(listing_urls)],
        prev_url=page_url(request, page.previous_page_number()) if page.has_previous() else "",
        next_url=page_url(request, page.next_page_number()) if page.has_next() else "",
    )
    context = {
        "category": category,
        "location": location,
        "ancestors": ancestors,
        "children": children,
        "locations": locations,
        "page": page,
        "page_links": _page_links(request, page),
        "heading": heading,
        "crumbs": crumbs,
        "meta": meta,
    }
    return render_page(request, "listings/category.html", context, partial="results", targets=("results",))


def _page_links(request: HttpRequest, page) -> list[dict]:
    """Numbered links around the current page, capped at MAX_PAGE."""
    last = min(page.paginator.num_pages, settings.MAX_PAGE)
    numbers = sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": page_url(request, number), "current": number == page.number})
        previous = number
    return links


def _load_listing(pk: int) -> Listing:
    """A listing buyers may open: active, sold or expired; anything else is 404."""
    listing = get_object_or_404(
        Listing.objects.select_related("owner", "category", "location").prefetch_related(
            "photos", "attribute_values__attribute", "attribute_values__option"
        ),
        pk=pk,
    )
    if listing.status not in (Listing.Status.ACTIVE, Listing.Status.SOLD, Listing.Status.EXPIRED):
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
    if available:
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
    photos = list(listing.photos.all())
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
        "attributes": attributes,
        "similar": similar,
        "crumbs": crumbs,
        "phone_shown": pk in _revealed(request),
        "masked_phone": mask_phone(listing.contact_phone),
        "meta": meta,
    }
    return TemplateResponse(request, "listings/detail.html", context)


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
    """Show the seller's phone: counted once per visitor; htmx swaps it in, otherwise PRG."""
    listing = _load_listing(pk)
    if not listing.is_visible or not listing.contact_phone:
        raise Http404(_("This phone number is not available."))
    revealed = _revealed(request)
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
