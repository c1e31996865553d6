"""The header's bell: the signed-in user's unread notices (counted only when the template uses it)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notification


def _unread_count(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.of(user).unread().count()


def notifications(request: HttpRequest) -> dict:
    return {"notification_unread_count": SimpleLazyObject(lambda: _unread_count(request))}
