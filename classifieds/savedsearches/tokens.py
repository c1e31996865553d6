"""Signed unsubscribe tokens: the link in an alert email works without signing in."""

from __future__ import annotations

from django.core import signing

SALT = "bozor.savedsearches.unsubscribe"
MAX_AGE = 90 * 24 * 3600  # a link in an old email keeps working for three months


def unsubscribe_token(saved_search_id: int) -> str:
    return signing.dumps({"s": saved_search_id}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str, *, max_age: int = MAX_AGE) -> int | None:
    """The saved search id in a valid token, None when tampered with or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    pk = data.get("s") if isinstance(data, dict) else None
    return pk if isinstance(pk, int) else None
