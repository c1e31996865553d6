"""System checks: payments must never be free in production, and a named provider must be able to run."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register()
def payment_providers_known(app_configs, **kwargs) -> list[CheckMessage]:
    """A misspelt name in PAYMENT_PROVIDERS would silently switch that provider off."""
    from .providers import PROVIDERS

    unknown = [name for name in settings.PAYMENT_PROVIDERS if name not in PROVIDERS]
    if unknown:
        return [
            Error(
                f"PAYMENT_PROVIDERS names unknown providers: {', '.join(unknown)}.",
                hint=f"Known providers: {', '.join(PROVIDERS)}.",
                id="payments.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def sandbox_payments_off_in_production(app_configs, **kwargs) -> list[CheckMessage]:
    """``check --deploy``: the sandbox's checkout lets a seller mark a payment successful himself."""
    if "sandbox" in settings.PAYMENT_PROVIDERS and not settings.DEBUG:
        return [
            Error(
                "PAYMENT_PROVIDERS enables the sandbox with DEBUG off: sellers could get paid promotions free.",
                hint="Remove 'sandbox' from PAYMENT_PROVIDERS (e.g. PAYMENT_PROVIDERS=payme,click). "
                "It is refused at request time anyway; this setting is a mistake.",
                id="payments.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def named_payment_providers_configured(app_configs, **kwargs) -> list[CheckMessage]:
    """``check --deploy``: a real provider named without its credentials is never offered."""
    from .providers import PROVIDERS

    missing = [
        name
        for name in settings.PAYMENT_PROVIDERS
        if name in PROVIDERS and name != "sandbox" and not PROVIDERS[name].available()
    ]
    if missing:
        return [
            Error(
                f"PAYMENT_PROVIDERS names {', '.join(missing)} but its credentials are not set.",
                hint="Set PAYME_MERCHANT_ID and PAYME_KEY, or CLICK_SERVICE_ID, CLICK_MERCHANT_ID and "
                "CLICK_SECRET_KEY (see README), or remove the provider from PAYMENT_PROVIDERS.",
                id="payments.E003",
            )
        ]
    return []
