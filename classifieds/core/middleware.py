"""Cross-cutting middleware."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger(__name__)


class HtmxConventionsMiddleware:
    """The htmx conventions every view relies on (after django-htmx's ``HtmxMiddleware``).

    - ``Vary: HX-Request``: every page may answer htmx with a fragment, so caches key on it.
    - A redirect answering an htmx request (a PRG redirect, sign-in required, signed in)
      becomes ``HX-Redirect``: following it inside the XHR would swap a whole page into a
      fragment. Views return the same ``redirect()`` for htmx as for a plain form.
    - Messages added while answering an htmx request with a fragment are shown in that
      response, out of band (``data-hx-swap-oob`` on the page's ``#messages``), not on the next
      full page. A full page (or a boosted request) shows them itself, as always.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        htmx = getattr(request, "htmx", None)
        if not htmx or htmx.boosted:
            return response
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            return self._client_redirect(response)
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            self._add_messages(request, response)
        return response

    @staticmethod
    def _client_redirect(response: HttpResponse) -> HttpResponse:
        redirected = HttpResponseClientRedirect(response["Location"])
        redirected.cookies = response.cookies
        patch_vary_headers(redirected, ("HX-Request",))
        return redirected

    @staticmethod
    def _add_messages(request: HttpRequest, response: HttpResponse) -> None:
        storage = messages.get_messages(request)
        if storage.used or not len(storage):  # none, or a full page rendered them already
            return
        html = render_to_string("components/messages.html", {"messages": storage, "oob": True}, request=request)
        response.content += html.encode(response.charset)


# Field names never written back into a page: secrets the visitor must type again.
_SECRET_FIELD = re.compile(r"csrf|pass|secret|token|code|otp|pin|cvv|cvc|card", re.IGNORECASE)
RETRY_AFTER_SECONDS = 30


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After`` and a page that needs no database (the database is what is missing).

    A POST gets its non-secret fields back as hidden inputs of a form to the same URL, with a
    fresh CSRF token, so "Send again" re-posts what was typed once the database is back.
    """
    form_fields = None
    dropped_secrets = dropped_files = False
    if request.method == "POST":
        form_fields = []
        for name, values in request.POST.lists():
            if _SECRET_FIELD.search(name):
                dropped_secrets = dropped_secrets or not name.startswith("csrf")
                continue
            form_fields.extend((name, value) for value in values)
        dropped_files = bool(request.FILES)
    context = {
        "retry_url": request.get_full_path(),
        "home_url": reverse("web:home"),
        "form_fields": form_fields,
        "dropped_secrets": dropped_secrets,
        "dropped_files": dropped_files,
        "csrf_token": get_token(request) if form_fields is not None else "",
    }
    # No request: context processors (the signed-in user, favorites) would query the database.
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """A database outage (refused or dropped connection) answers 503 and the friendly page, not 500.

    Errors raised by views and templates arrive here; those raised by other middleware
    reach ``classifieds.core.views.server_error`` (``handler500``), which does the same.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)


class DebugErrorPagesWithoutCSPMiddleware:
    """DEBUG only: Django's technical 404/500 pages use inline style and script without a nonce.

    Sending them without the policy keeps tracebacks readable under ``make run``; every
    other response (and everything with DEBUG off) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500) and not hasattr(response, "template_name"):
            response._csp_config = {}  # read by django.middleware.csp: an empty policy sends no header
        return response
