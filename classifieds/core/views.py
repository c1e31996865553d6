"""Probes for the load balancer and the orchestrator, and the 500 handler."""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .readiness import NotReady, readiness_checks

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving requests."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readiness(request: HttpRequest) -> JsonResponse:
    """Every dependency answers (the checks apps registered, see ``readiness``); 503 naming the failing ones otherwise."""
    results: dict[str, str] = {}
    details: dict[str, object] = {}
    for name, check in readiness_checks().items():
        try:
            found = check()
        except Exception as exc:  # a probe reports failures, it must not raise
            logger.warning("readiness: %s failed: %s", name, exc)
            results[name] = f"error: {type(exc).__name__}"
            if isinstance(exc, NotReady):
                results[name] += f": {exc}"
        else:
            results[name] = "ok"
            if isinstance(found, dict):
                details.update(found)
    failing = [name for name, state in results.items() if state != "ok"]
    status = 503 if failing else 200
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": results, "details": details}
    return JsonResponse(body, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage raised outside a view is a 503 too; anything else the static 500 page."""
    from .middleware import database_unavailable_response, is_database_unavailable

    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return HttpResponseServerError(render_to_string("500.html"))
