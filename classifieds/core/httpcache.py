"""HTTP caching of HTML pages: validators, conditional GET and ``Cache-Control`` (issue 14).

- ``conditional_page``: a view's page gets an ``ETag`` (and, for a visitor without cookies, a
  ``Last-Modified``) and answers ``304 Not Modified`` when the visitor's copy is current. The ETag is
  the page as rendered minus what differs on every render (CSRF token masks, the CSP nonce, a view
  counter marked ``data-etag-ignore``), plus the
  CSRF cookie the page's forms are bound to: whatever the page shows (the visitor's favorites, a
  message, the header) is in it, so a 304 is never wrong.
- ``HtmlCacheControlMiddleware``: HTML a view left without ``Cache-Control`` may be kept by the
  browser: a short ``max-age`` (``HTML_CACHE_SECONDS``) for a visitor without cookies (a crawler, a
  first visit; ``Vary: Cookie`` makes the browser ask again once it has one), and ``private, no-cache``
  (kept, but asked about every time: an ETag turns that into a 304) for everybody with a session,
  since what they do (sign in, a favorite, a revealed phone) changes pages under the same URL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

_VOLATILE = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")'),
    re.compile(rb'("X-CSRFToken": ")[^"]*(")'),
    re.compile(rb'( nonce=")[^"]*(")'),
    # A figure that changes on every view (a view counter) would make every copy stale: a 304 may
    # leave it a little behind. Mark it <span data-etag-ignore>…</span>.
    re.compile(rb"(<span data-etag-ignore>)[^<]*(</span>)"),
]


def _page_etag(request: HttpRequest, content: bytes) -> str:
    for pattern in _VOLATILE:
        content = pattern.sub(rb"\1\2", content)
    digest = hashlib.blake2b(content, digest_size=16)
    # The secret the page's CSRF tokens unmask to (the cookie sent, or the one this response sets).
    digest.update(str(request.META.get("CSRF_COOKIE", "")).encode())
    digest.update((get_language() or "").encode())
    return f'"{digest.hexdigest()}"'


def conditional_page(
    request: HttpRequest, response: HttpResponse, *, last_modified: datetime | None = None
) -> HttpResponse:
    """``response`` with its validators, or a 304 when the request's ``If-None-Match`` /
    ``If-Modified-Since`` say the visitor has this page already.

    ``last_modified`` dates the data the page shows; it is sent (and ``If-Modified-Since`` honoured)
    only to visitors without cookies, whose page depends on nothing else.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or request.headers.get("HX-Request"):
        return response
    if hasattr(response, "render"):
        response.render()
    etag = _page_etag(request, response.content)
    response["ETag"] = etag
    response.last_modified_at = last_modified  # for a cached copy (core.pagecache), whoever asks it next
    timestamp = None
    if last_modified is not None and not request.COOKIES:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


class HtmlCacheControlMiddleware:
    """``Cache-Control`` (and ``Vary: Cookie``) on the HTML pages a view left without one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code not in (200, 304)
            or response.has_header("Cache-Control")
            or not response.get("Content-Type", "text/html").startswith("text/html")
        ):
            return response
        user = getattr(request, "user", None)
        if request.COOKIES or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, private=True, max_age=settings.HTML_CACHE_SECONDS)
        patch_vary_headers(response, ("Cookie",))
        return response
