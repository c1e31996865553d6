"""Writes on listings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F

from classifieds.taxonomy.schema import CleanedValue, validate_attribute_values

from .models import Listing, ListingAttributeValue


@transaction.atomic
def listing_set_attributes(*, listing: Listing, values: Mapping[str, Any]) -> list[ListingAttributeValue]:
    """Replace the listing's attribute values with ``values`` validated against its category.

    Raises ``django.core.exceptions.ValidationError`` keyed by attribute key;
    nothing is written when any value is invalid.
    """
    cleaned: list[CleanedValue] = validate_attribute_values(listing.category, values)
    ListingAttributeValue.objects.filter(listing=listing).delete()
    rows = [
        ListingAttributeValue(
            listing=listing,
            attribute=value.attribute,
            option=value.option,
            value_text=value.text,
            value_number=value.number,
            value_bool=value.boolean,
        )
        for value in cleaned
    ]
    return ListingAttributeValue.objects.bulk_create(rows)


def listing_record_view(*, listing: Listing) -> None:
    """Count a detail page view (one UPDATE, no read-modify-write race)."""
    Listing.objects.filter(pk=listing.pk).update(views_count=F("views_count") + 1)


def listing_reveal_phone(*, listing: Listing, already_revealed: bool) -> bool:
    """Count a phone reveal unless this visitor already revealed it. Returns whether counted."""
    if already_revealed:
        return False
    Listing.objects.filter(pk=listing.pk).update(phone_reveals_count=F("phone_reveals_count") + 1)
    return True
