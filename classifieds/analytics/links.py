"""Tracked links (digest emails): a signed address that counts a click, then redirects to a page of the site."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

LINK_SALT = "analytics.link"


class BadLink(Exception):
    """Not a link we signed, or one pointing off the site."""


def tracked_url(path: str, *, kind: str, listing_id: int | None = None, subject: str = "") -> str:
    """The site-relative address of ``path`` that records ``kind`` when followed."""
    token = signing.dumps({"p": path, "k": kind, "l": listing_id or 0, "s": subject}, salt=LINK_SALT, compress=True)
    return reverse("analytics:go", kwargs={"token": token})


def tracked_target(token: str) -> dict:
    """The link's payload; raises ``BadLink`` for a forged or off-site one."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise BadLink from None
    path = payload.get("p") if isinstance(payload, dict) else None
    # Only a path on this site: never "//host" or a scheme (no open redirect, even with our signature).
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "\\" in path:
        raise BadLink
    return payload
