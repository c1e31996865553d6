"""System checks: production must really send SMS."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string


@register()
def sms_backend_importable(app_configs, **kwargs) -> list[Error]:
    try:
        import_string(settings.SMS_BACKEND)
    except ImportError:
        return [
            Error(
                f"SMS_BACKEND {settings.SMS_BACKEND!r} cannot be imported.",
                hint="Use 'console', 'eskiz' or a dotted path to an SMS backend class.",
                id="accounts.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def sms_backend_sends(app_configs, **kwargs) -> list[Error]:
    """``check --deploy``: the console backend sends nothing, and a provider needs credentials."""
    from .sms import ConsoleBackend, EskizBackend

    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return []  # reported by accounts.E001
    if issubclass(backend, ConsoleBackend):
        return [
            Error(
                "SMS_BACKEND is the console backend: sign-in codes would reach nobody.",
                hint="Set SMS_BACKEND=eskiz with SMS_LOGIN and SMS_PASSWORD (see README).",
                id="accounts.E002",
            )
        ]
    if issubclass(backend, EskizBackend) and not (settings.SMS_LOGIN and settings.SMS_PASSWORD):
        return [Error("SMS_LOGIN and SMS_PASSWORD are required by the Eskiz SMS backend.", id="accounts.E003")]
    return []
