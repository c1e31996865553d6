"""Payment providers behind one interface; ``settings.PAYMENT_PROVIDERS`` says which are on."""

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


def enabled_providers() -> list[Provider]:
    """The providers a seller may choose, in settings order."""
    return [PROVIDERS[name]() for name in settings.PAYMENT_PROVIDERS if name in PROVIDERS]


def get_provider(name: str) -> Provider:
    """An enabled provider by name; 404 for anything else (an unknown webhook URL)."""
    if name not in settings.PAYMENT_PROVIDERS or name not in PROVIDERS:
        raise Http404("no such payment provider")
    return PROVIDERS[name]()
