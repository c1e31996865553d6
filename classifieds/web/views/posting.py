"""The posting wizard: /post/ (category) → /post/details/ → /post/review/.

The draft is a real ``Listing`` row (status ``draft``) named by ``?draft=<id>``
in every step's URL, and saved on every POST: a closed tab, a sign-in in the
middle or a validation error never loses what was typed or uploaded. The
details step is one multipart form (fields, attribute fields, photos and
photo buttons), so even without JavaScript a photo upload saves the text too.
The category step finds leaves by name with ``classifieds.search.finder``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classifieds.accounts.decorators import login_required
from classifieds.core.htmx import render_page
from classifieds.imaging.processing import ACCEPT
from classifieds.listings import lifecycle, policies, services
from classifieds.listings.display import attribute_rows
from classifieds.listings.forms import AttributesForm, ListingDetailsForm
from classifieds.listings.loaders import load_own_listing
from classifieds.listings.models import Listing
from classifieds.media import services as media_services
from classifieds.media.models import ListingPhoto
from classifieds.search.finder import find_leaf_categories
from classifieds.taxonomy.models import Category

STASH_SESSION_KEY = "posting_stash"
CATEGORY_MATCHES = 12
# htmx target id -> partial: the photo block (its own template, included by the page) and the place fields.
DETAILS_FRAGMENTS = {"photos": "listings/partials/post_photos.html#photos", "location-fields": "location"}


def _step_url(name: str, listing: Listing) -> str:
    return f"{reverse(name)}?draft={listing.pk}"


def _category_matches(q: str) -> list[tuple[Category, list[Category]]]:
    """Leaf categories for what the seller typed (word forms, ru/uz, either script; see ``finder``), best first."""
    ids = find_leaf_categories(q, limit=CATEGORY_MATCHES)
    by_id = Category.objects.in_bulk(ids)
    leaves = [by_id[pk] for pk in ids if pk in by_id]
    ancestor_ids = {pk for leaf in leaves for pk in leaf.path[:-1]}
    ancestors = Category.objects.in_bulk(ancestor_ids)
    return [(leaf, [ancestors[pk] for pk in leaf.path[:-1] if pk in ancestors]) for leaf in leaves]


@login_required
@require_http_methods(["GET", "POST"])
def post_category(request: HttpRequest) -> HttpResponse:
    """Step 1: drill down the category tree (or find a leaf by name) and start the draft in a leaf."""
    draft = load_own_listing(request, request.GET["draft"]) if request.GET.get("draft") else None
    if request.method == "POST":
        raw = request.POST.get("category", "")
        category = Category.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if category is None:
            return HttpResponseBadRequest(_("Choose a category."))
        try:
            if draft is None:
                draft = services.listing_create_draft(
                    owner=request.user, category=category, language=(get_language() or "ru")[:2]
                )
            elif draft.category_id != category.pk:
                services.listing_change_category(listing=draft, category=category, actor=request.user)
        except services.ListingError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('web:post')}?parent={category.pk}")
        return redirect(_step_url("web:post_details", draft))

    parent = None
    if request.GET.get("parent", "").isdigit():
        parent = Category.objects.filter(pk=int(request.GET["parent"])).first()
    q = request.GET.get("q", "").strip()
    context = {
        "draft": draft,
        "parent": parent,
        "trail": parent.ancestors(include_self=True) if parent else [],
        "children": list(Category.objects.filter(parent=parent).order_by("order", "pk")),
        "q": q,
        "matches": _category_matches(q),
        "draft_query": f"&draft={draft.pk}" if draft else "",
    }
    return render_page(request, "listings/post_category.html", context, fragments={"category-picker": "picker"})


def _forms(
    request: HttpRequest, listing: Listing, data=None, *, complete: bool = False
) -> tuple[ListingDetailsForm, AttributesForm]:
    details = ListingDetailsForm(
        data, initial=ListingDetailsForm.initial_for(listing), complete=complete, category=listing.category
    )
    attrs = AttributesForm(
        data, initial=policies.stored_attribute_values(listing), category=listing.category, complete=complete
    )
    return details, attrs


def _save(listing: Listing, details: ListingDetailsForm, attrs: AttributesForm, user) -> None:
    """Keep every valid value typed so far on the draft (an invalid one is shown again, not saved)."""
    if listing.status == Listing.Status.DRAFT:
        services.listing_update_draft(
            listing=listing, fields=details.listing_fields(), attributes=attrs.values(), actor=user
        )


def _photo_actions(request: HttpRequest, listing: Listing) -> list[dict[str, str]]:
    """Uploads, replacements and photo buttons of the details form. Returns the rejected files with why."""
    rejected: list[dict[str, str]] = []
    for upload in request.FILES.getlist("photos"):
        try:
            media_services.photo_add(listing=listing, upload=upload, actor=request.user)
        except media_services.PhotoRejected as exc:
            rejected.append({"name": upload.name or "", "reason": exc.reason})
    photos = {photo.pk: photo for photo in ListingPhoto.objects.filter(listing=listing).select_related("listing")}
    for key, upload in request.FILES.items():
        if key.startswith("replace-") and key[8:].isdigit() and int(key[8:]) in photos:
            try:
                media_services.photo_replace(photo=photos[int(key[8:])], upload=upload, actor=request.user)
            except media_services.PhotoRejected as exc:
                rejected.append({"name": upload.name or "", "reason": exc.reason})
    verb, _sep, pk = request.POST.get("photo", "").partition(":")
    photo = photos.get(int(pk)) if pk.isdigit() else None
    if photo is not None:
        ordered = sorted(photos.values(), key=lambda p: (p.order, p.pk))
        index = ordered.index(photo)
        if verb == "delete":
            media_services.photo_delete(photo=photo, actor=request.user)
        elif verb in ("cover", "left", "right"):
            position = {"cover": 0, "left": index - 1, "right": index + 1}[verb]
            media_services.photo_move(photo=photo, position=position, actor=request.user)
    return rejected


def _apply_stash(request: HttpRequest, listing: Listing):
    """Form data posted while signed out (session expired mid-way), kept until the owner is back."""
    stash = request.session.get(STASH_SESSION_KEY)
    if not stash or stash.get("draft") != listing.pk:
        return None
    del request.session[STASH_SESSION_KEY]
    data = QueryDict(mutable=True)
    for key, values in stash.get("data", {}).items():
        data.setlist(key, values)
    return data


@require_http_methods(["GET", "POST"])
def post_details(request: HttpRequest) -> HttpResponse:
    """Step 2: the listing's details, its category's attributes and its photos, saved on every POST."""
    if not request.user.is_authenticated:
        if request.method == "POST" and request.GET.get("draft", "").isdigit():
            # Signed out mid-way: keep what was typed for after the sign-in (files cannot be kept).
            request.session[STASH_SESSION_KEY] = {
                "draft": int(request.GET["draft"]),
                "data": {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"},
            }
        return login_required(post_details)(request)
    listing = load_own_listing(request, request.GET.get("draft"))
    if listing.status != Listing.Status.DRAFT and not lifecycle.can(listing, lifecycle.Action.EDIT):
        messages.error(request, _("This listing cannot be edited."))
        return redirect("web:seller_listings")
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    rejected: list[dict[str, str]] = []
    status = 200
    if request.method == "GET":
        stashed = _apply_stash(request, listing)
        details, attrs = _forms(request, listing, stashed)
        if stashed is not None:
            details.is_valid(), attrs.is_valid()
            _save(listing, details, attrs, request.user)
            messages.info(request, _("Welcome back: what you typed has been kept."))
    else:
        complete = action == "next"
        details, attrs = _forms(request, listing, request.POST, complete=complete)
        valid = details.is_valid() & attrs.is_valid()
        _save(listing, details, attrs, request.user)
        rejected = _photo_actions(request, listing)
        if action == "next" and valid and not rejected:
            if listing.status != Listing.Status.DRAFT:
                try:
                    services.listing_edit(
                        listing=listing,
                        fields=details.listing_fields(),
                        attributes=attrs.values(),
                        actor=request.user,
                    )
                except services.ListingError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("Your changes are saved."))
                    return redirect("web:seller_listings")
            else:
                return redirect(_step_url("web:post_review", listing))
        elif action == "save" and valid and not rejected and not request.htmx:
            messages.success(request, _("Draft saved."))
            return redirect(_step_url("web:post_details", listing))
        if action == "next" and not valid:
            messages.error(request, _("Please correct the highlighted fields."))
        # Re-bound with the draft as saved: uploads and photo buttons are done, the fields keep what was typed.
        listing.refresh_from_db()
    context = {
        "listing": listing,
        "form": details,
        "attrs_form": attrs,
        "photos": list(ListingPhoto.objects.filter(listing=listing).order_by("order", "pk")),
        "rejected": rejected,
        "max_photos": media_services.MAX_PHOTOS,
        "accept": ACCEPT,
        "trail": listing.category.ancestors(include_self=True),
        "is_edit": listing.status != Listing.Status.DRAFT,
        "direct_upload": media_services.direct_upload_enabled(),
    }
    return render_page(request, "listings/post_details.html", context, fragments=DETAILS_FRAGMENTS, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def post_review(request: HttpRequest) -> HttpResponse:
    """Step 3: the listing as buyers will see it; submitting publishes it (or sends it to review)."""
    listing = load_own_listing(request, request.GET.get("draft"))
    if request.method == "POST":
        if listing.status == Listing.Status.DRAFT:
            try:
                listing = services.listing_submit(listing=listing, actor=request.user)
            except services.ListingIncomplete as exc:
                messages.error(request, exc.message)
                return redirect(_step_url("web:post_details", listing))
            except services.ListingError as exc:
                messages.error(request, exc.message)
                return redirect(_step_url("web:post_review", listing))
            if listing.status == Listing.Status.PENDING:
                messages.success(request, _("Thank you! Your listing will appear after a quick review."))
            else:
                messages.success(request, _("Your listing is published."))
        # A second submit of the same draft lands where the first one did.
        if listing.status == Listing.Status.ACTIVE:
            return redirect(listing.get_absolute_url())
        return redirect(f"{reverse('web:seller_listings')}?tab={listing.status}")
    if listing.status != Listing.Status.DRAFT:
        return redirect(_step_url("web:post_details", listing))
    limit, used, policy = policies.free_listings_left(owner=request.user, category=listing.category)
    context = {
        "listing": listing,
        "photos": list(listing.photos.exclude(status=ListingPhoto.Status.FAILED).order_by("order", "pk")),
        "attributes": attribute_rows(listing),
        "problems": policies.listing_problems(listing),
        "trail": listing.category.ancestors(include_self=True),
        "moderated": policies.category_requires_moderation(listing.category),
        "limit": limit,
        "used": used,
        "limit_reached": limit is not None and used >= limit,
        "policy": policy,
    }
    return render_page(request, "listings/post_review.html", context)
