"""Whole-page cache for anonymous visitors, invalidated by version stamps.

What is cached: the rendered HTML of a GET a visitor without a session or
messages receives (no signed-in parts, nothing personal), keyed by the host,
the full path with its query, and the language. htmx requests, signed-in
visitors (a session cookie), pending messages and responses that set cookies,
write the session or say ``no-store``/``private`` bypass it.

Deployments: the key includes the static files' manifest hash. A page links its CSS and JS by their
hashed names, and a new release's files replace the old ones, so a page cached by the previous release
(the cache outlives a deploy in Redis) would be served unstyled; with the hash in the key it is a miss.

Validity: a decorated view names the *stamps* its page depends on (e.g. the
category of a results page, the listing of a detail page); the stamps' current
values are part of the key. Whoever changes what a page shows bumps its stamps
(``stamps_bump``: the search outbox consumer does, after indexing), so every
process sees the change on its next request, although the pages themselves live
in the per-process ``volatile`` cache (or Redis). ``PAGE_CACHE_TTL`` bounds
what no stamp covers (a catalog rename, a promotion's spotlight).

Two things in a page belong to the visitor who asked and are replaced on every
hit: the CSRF token (the visitor's own, so their forms post) and the CSP nonce
(the one in this response's header).

``core`` knows no domain: stamps are plain strings the callers agree on.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from classifieds.core.httpcache import conditional_page

STAMPS_CACHE = "stamps"
PAGES_CACHE = "volatile"
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
# Where templates print the CSRF token: the hidden field of forms and htmx's headers on <body>.
CSRF_PATTERNS = (
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")'),
    re.compile(rb'("X-CSRFToken": ")[A-Za-z0-9]{32,64}(")'),
)
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Link", "X-Robots-Tag")

# The earliest moment (Unix time) the page being rendered changes by the clock alone, if it is cached.
_deadline: ContextVar[float | None] = ContextVar("page_cache_deadline", default=None)


def valid_until(moment: datetime | float | None) -> None:
    """What is being rendered changes by itself at ``moment`` (a promotion ends, a listing expires, a
    rotation turns): a cached copy must not outlive it. A no-op outside a cached view."""
    current = _deadline.get()
    if current is None or moment is None:
        return
    when = moment.timestamp() if isinstance(moment, datetime) else float(moment)
    if when < current:
        _deadline.set(when)


def stamps_bump(keys: Iterable[str]) -> None:
    """Pages depending on any of ``keys`` are stale from now on, in every process."""
    now = time.time_ns()
    values = {f"stamp:{key}": now for key in set(keys)}
    if values:
        caches[STAMPS_CACHE].set_many(values, None)


def _stamp_values(keys: list[str]) -> list[int]:
    """Current values of ``keys`` (0: never bumped). One cache read, never a write on the read path.

    Stamps are few (``listings.pagestamps``: a bucket per listing id, a key per category slug) and never
    expire, so they are not culled (their own table, far below ``MAX_ENTRIES``) nor evicted (Redis evicts
    keys without a TTL only under an ``allkeys-*`` policy: don't use one for this database).
    """
    names = [f"stamp:{key}" for key in keys]
    found = caches[STAMPS_CACHE].get_many(names)
    return [found.get(name, 0) for name in names]


def _bypass(request: HttpRequest) -> bool:
    if request.method != "GET" or settings.PAGE_CACHE_TTL <= 0:
        return True
    if request.headers.get("HX-Request") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True  # a fragment; or signed in, a wizard, revealed phones, messages kept in the session
    if "messages" in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _release() -> str:
    """What names this deployment's static files: the manifest's hash (none without a manifest, in DEBUG)."""
    return getattr(staticfiles_storage, "manifest_hash", "") or ""


def _key(request: HttpRequest, stamps: list[int]) -> str:
    language = getattr(request, "LANGUAGE_CODE", "")
    raw = "|".join([request.get_host(), request.get_full_path(), language, _release(), *map(str, stamps)])
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not getattr(response, "page_cacheable", True):
        return False
    cache_control = response.get("Cache-Control", "")
    if "no-store" in cache_control or "private" in cache_control or "no-cache" in cache_control:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return not len(messages.get_messages(request))


def _template(request: HttpRequest, content: bytes) -> bytes:
    """The page with the visitor's CSRF token and CSP nonce replaced by placeholders."""
    for pattern in CSRF_PATTERNS:
        content = pattern.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", content)
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # generated: the page printed it
        content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
    return content


def _fill(request: HttpRequest, content: bytes) -> bytes:
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    if NONCE_PLACEHOLDER in content:
        nonce = getattr(request, "_csp_nonce", None)
        content = content.replace(NONCE_PLACEHOLDER, str(nonce).encode() if nonce is not None else b"")
    return content


def cache_anonymous_page(
    *,
    stamps: Callable[..., list[str]],
    on_hit: Callable[..., None] | None = None,
) -> Callable:
    """Serve the view's page to anonymous visitors from the cache while ``stamps(request, **kwargs)`` hold.

    ``on_hit(request, *args, replay=..., **kwargs)``: what the view must still do on a cached answer
    (count a view, the impressions of the cards shown); ``replay`` is what the view left in
    ``response.page_cache_replay`` when the page was cached (picklable data, e.g. the listing ids shown).
    A view opts a response out with ``response.page_cacheable = False``.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if _bypass(request):
                return view(request, *args, **kwargs)
            key = _key(request, _stamp_values(stamps(request, *args, **kwargs)))
            store = caches[PAGES_CACHE]
            cached = store.get(key)
            if isinstance(cached, tuple) and len(cached) == 4:  # an entry of another layout (older code): a miss
                content, headers, replay, validated = cached
                response = HttpResponse(_fill(request, content))
                for name, value in headers:
                    response[name] = value
                response["X-Page-Cache"] = "hit"
                if on_hit is not None:
                    on_hit(request, *args, replay=replay, **kwargs)
                if validated is not None:  # the view answers conditional GETs: so does its cached copy
                    changed = datetime.fromtimestamp(validated, tz=UTC) if validated else None
                    response = conditional_page(request, response, last_modified=changed)
                return response
            token = _deadline.set(math.inf)
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()  # here, so that what the templates learn counts for the deadline
                deadline = _deadline.get()
            finally:
                _deadline.reset(token)
            timeout = settings.PAGE_CACHE_TTL
            if deadline is not None and deadline != math.inf:
                timeout = min(timeout, math.floor(deadline - time.time()))
            if timeout >= 1 and _storable(request, response):
                headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
                replay = getattr(response, "page_cache_replay", None)
                # A page with validators keeps them on every copy: its ETag (computed per visitor on a hit)
                # and the date of its data (0: the view gave none).
                validated = None
                if response.has_header("ETag"):
                    changed = getattr(response, "last_modified_at", None)
                    validated = changed.timestamp() if changed else 0
                entry = (_template(request, response.content), headers, replay, validated)
                store.set(key, entry, timeout)
                response["X-Page-Cache"] = "miss"
            return response

        return wrapper

    return decorator
