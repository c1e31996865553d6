"""Payment providers behind one interface; ``settings.PAYMENT_PROVIDERS`` says which are on.

A provider named there is offered only when it is also ``available()``: a real
one needs its credentials, the sandbox (whose checkout lets the seller press
"success") needs DEBUG. This is checked on every request, so a production
settings mistake fails closed; ``check --deploy`` reports it (payments.E001).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from .base import Provider
from .click import ClickProvider
from .payme import PaymeProvider
from .sandbox import SandboxProvider

PROVIDERS: dict[str, type[Provider]] = {
    "payme": PaymeProvider,
    "click": ClickProvider,
    "sandbox": SandboxProvider,
}


def is_enabled(name: str) -> bool:
    """Named in ``PAYMENT_PROVIDERS`` and able to run here (credentials; the sandbox only with DEBUG)."""
    provider = PROVIDERS.get(name)
    return provider is not None and name in settings.PAYMENT_PROVIDERS and provider.available()


def enabled_providers() -> list[Provider]:
    """The providers a seller may choose, in settings order (none: promotions cannot be bought)."""
    return [PROVIDERS[name]() for name in dict.fromkeys(settings.PAYMENT_PROVIDERS) if is_enabled(name)]


def get_provider(name: str) -> Provider:
    """An enabled provider by name; 404 for anything else (an unknown webhook URL, the sandbox in production)."""
    if not is_enabled(name):
        raise Http404("no such payment provider")
    return PROVIDERS[name]()
