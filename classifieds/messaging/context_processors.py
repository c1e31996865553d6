"""The header's "Messages (n)": unread messages of the signed-in user (counted only when a template asks)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Conversation


def _unread(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Conversation.objects.unread_count(user)


def unread_messages(request: HttpRequest) -> dict:
    return {
        "unread_messages": SimpleLazyObject(lambda: _unread(request)),
        "MESSAGING_BADGE_POLL_SECONDS": settings.MESSAGING_BADGE_POLL_SECONDS,
    }
