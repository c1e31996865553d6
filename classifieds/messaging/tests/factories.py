from __future__ import annotations

from classifieds.listings.tests.factories import ListingFactory
from classifieds.messaging import services
from classifieds.messaging.models import Conversation


def conversation_with(body: str = "Здравствуйте, ещё продаётся?", **listing_fields) -> Conversation:
    """A buyer's conversation about a new listing, started with ``body`` through the service."""
    from classifieds.accounts.tests.factories import UserFactory

    listing = ListingFactory(**listing_fields)
    return services.conversation_start(listing=listing, buyer=UserFactory(), body=body)
