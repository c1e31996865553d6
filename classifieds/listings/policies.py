"""Reads the posting rules are made of: what a listing still misses, what a seller may still post for free.

Services enforce them (``listing_submit``, ``listing_edit``); the wizard shows them before anyone submits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from classifieds.core.text import plain_decimal
from classifieds.taxonomy.models import Category
from classifieds.taxonomy.schema import validate_attribute_values

from . import lifecycle
from .models import Listing

TITLE_MIN_LENGTH = 5
DESCRIPTION_MIN_LENGTH = 20
category_requires_moderation = lifecycle.requires_moderation


def _policy_category(category: Category, attribute: str) -> Category | None:
    """The nearest category (itself first, then up the tree) that sets ``attribute``."""
    for node in reversed(category.ancestors(include_self=True)):
        if getattr(node, attribute) is not None:
            return node
    return None


def free_listings_left(*, owner, category: Category, now: datetime | None = None, exclude_pk: int | None = None):
    """(limit, used, limiting category) for the seller in the category's rolling 30 days; limit None = unlimited."""
    policy = _policy_category(category, "free_listings_per_30_days")
    if policy is None:
        return None, 0, None
    since = (now or timezone.now()) - timedelta(days=30)
    used = (
        Listing.objects.filter(owner=owner, category__path__contains=[policy.pk], published_at__gte=since)
        .exclude(pk=exclude_pk)
        .count()
    )
    return policy.free_listings_per_30_days, used, policy


def stored_attribute_values(listing: Listing) -> dict[str, Any]:
    """The listing's attribute values as the raw form values they were cleaned from (key -> value or list)."""
    values: dict[str, Any] = {}
    for row in listing.attribute_values.select_related("attribute", "option"):
        attribute = row.attribute
        if row.option_id:
            if attribute.type == attribute.Type.MULTICHOICE:
                values.setdefault(attribute.key, []).append(row.option.value)
            else:
                values[attribute.key] = row.option.value
        elif row.value_bool is not None:
            values[attribute.key] = "true" if row.value_bool else "false"
        elif row.value_number is not None:
            values[attribute.key] = plain_decimal(row.value_number)
        else:
            values[attribute.key] = row.value_text
    return values


def listing_problems(listing: Listing) -> dict[str, list[str]]:
    """What still keeps this listing from being published, by field name (``attrs.<key>`` for attributes)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (listing.title or "").strip()
    if len(title) < TITLE_MIN_LENGTH:
        add("title", gettext("The title needs at least %(min)s characters.") % {"min": TITLE_MIN_LENGTH})
    if len((listing.description or "").strip()) < DESCRIPTION_MIN_LENGTH:
        add(
            "description",
            gettext("Describe the item in at least %(min)s characters.") % {"min": DESCRIPTION_MIN_LENGTH},
        )
    if listing.price_type == Listing.PriceType.AMOUNT and listing.price is None:
        add("price", gettext("Enter a price, or choose “free” or “exchange”."))
    if listing.location_id is None:
        add("location", gettext("Choose where the item is."))
    elif listing.location.path and len(listing.location.path) == 1 and listing.location.children.exists():
        add("location", gettext("Choose a city or district."))
    if not listing.contact_phone:
        add("contact_phone", gettext("Enter a phone number buyers can call."))
    try:
        validate_attribute_values(listing.category, stored_attribute_values(listing))
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                add(f"attrs.{key}", message)
    return errors
