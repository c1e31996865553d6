"""Signed one-click unsubscribe tokens: the link in a notification email works without signing in."""

from __future__ import annotations

from django.core import signing

SALT = "bozor.notifications.unsubscribe"
MAX_AGE = 180 * 24 * 3600  # a link in an old email keeps working for half a year


def unsubscribe_token(*, user_id: int, kind: str, channel: str = "email") -> str:
    return signing.dumps({"u": user_id, "k": kind, "c": channel}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str, *, max_age: int = MAX_AGE) -> tuple[int, str, str] | None:
    """(user id, kind, channel) of a valid token; None when tampered with or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict):
        return None
    user_id, kind, channel = data.get("u"), data.get("k"), data.get("c")
    if not isinstance(user_id, int) or not isinstance(kind, str) or not isinstance(channel, str):
        return None
    return user_id, kind, channel
