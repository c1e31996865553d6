"""Signal receivers: only triggers, the logic is in services."""

from __future__ import annotations

from django.http import HttpRequest

from . import services
from .session import session_clear, session_favorites


def merge_session_favorites(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """On sign-in (any method), move the visitor's session favorites into the account."""
    session = getattr(request, "session", None)
    if session is None or not user.pk:
        return
    entries = session_favorites(session)
    if entries:
        services.favorite_merge(user=user, entries=entries)
        session_clear(session)
