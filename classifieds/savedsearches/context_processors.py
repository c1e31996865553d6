"""The header's badge: new matches of saved searches shown on the site, not yet seen (counted only when used)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Digest


def _alert_count(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Digest.objects.unseen_count(user)


def saved_alerts(request: HttpRequest) -> dict:
    return {"saved_alert_count": SimpleLazyObject(lambda: _alert_count(request))}
