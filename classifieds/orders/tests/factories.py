"""Orders made the way the purchase page makes them (through the service)."""

from __future__ import annotations

import uuid

from classifieds.listings.models import Listing
from classifieds.orders.models import Order
from classifieds.orders.services import order_create


def make_order(*, listing: Listing, provider: str = "sandbox", code: str = "top-7") -> Order:
    return order_create(
        user=listing.owner, listing=listing, code=code, provider=provider, idempotency_key=uuid.uuid4().hex
    )
