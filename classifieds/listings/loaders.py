"""Loading a listing for a request: anyone else's id is a 404, never a 403 that confirms it exists."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Listing


def load_own_listing(request: HttpRequest, pk: Any) -> Listing:
    """The signed-in seller's own listing (any state but deleted); anyone else's id is a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such listing.")) from None
    return get_object_or_404(
        Listing.objects.select_related("category", "location", "owner").exclude(status=Listing.Status.DELETED),
        pk=pk,
        owner=request.user,
    )


def load_public_listing(pk: int) -> Listing:
    """A listing anyone may open (``Listing.objects.public()``), ready for its page; anything else is 404."""
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
