"""The interface every payment provider adapter implements."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from classifieds.orders.models import Order


class Provider:
    """A payment service provider: where to send the buyer, and how to answer its server's calls."""

    name: str = ""
    label: str | Promise = ""  # what the seller reads on the promote page (translated where it is not a brand)

    @classmethod
    def available(cls) -> bool:
        """Whether this deployment can really take money through it (credentials set; the sandbox: DEBUG)."""
        raise NotImplementedError

    def checkout_url(self, *, order: Order, return_url: str) -> str:
        """The provider's page where the buyer pays ``order``, returning to ``return_url``."""
        raise NotImplementedError

    def webhook(self, request: HttpRequest) -> HttpResponse:
        """Answer one call of the provider's server (authenticated here, never by a session)."""
        raise NotImplementedError
