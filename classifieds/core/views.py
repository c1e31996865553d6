"""Probes for the load balancer and the orchestrator, and the 500 handler."""

from __future__ import annotations

import logging
import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey.contrib.djhuey import HUEY

from classifieds.search import ping_search

from .worker import HEARTBEAT_MAX_AGE, heartbeat_age

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving requests."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    key = f"readiness:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def _check_queue() -> dict:
    # Reading the pending count touches the queue storage (Redis or SQLite file). Neither storage
    # records when a job was queued; how long jobs wait shows in the worker's heartbeat age.
    pending = HUEY.storage.queue_size()
    if pending > settings.QUEUE_MAX_PENDING:
        raise QueueBehind(f"{pending} jobs waiting")
    return {"queue_pending": pending}


def _check_worker() -> dict:
    if HUEY.immediate:  # jobs run in the web process itself: there is no worker to wait for
        return {"worker_heartbeat_age": 0}
    age = heartbeat_age()
    if age is None or age > HEARTBEAT_MAX_AGE:
        raise WorkerMissing("no heartbeat" if age is None else f"last heartbeat {age:.0f} s ago")
    return {"worker_heartbeat_age": round(age)}


class QueueBehind(RuntimeError):
    pass


class WorkerMissing(RuntimeError):
    pass


CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "queue": _check_queue,
    "worker": _check_worker,
    "search": ping_search,
}


@require_GET
@never_cache
def readiness(request: HttpRequest) -> JsonResponse:
    """Every dependency answers; 503 naming the failing ones otherwise."""
    results: dict[str, str] = {}
    details: dict[str, object] = {}
    for name, check in CHECKS.items():
        try:
            found = check()
        except Exception as exc:  # a probe reports failures, it must not raise
            logger.warning("readiness: %s failed: %s", name, exc)
            results[name] = f"error: {type(exc).__name__}"
            if isinstance(exc, QueueBehind | WorkerMissing):
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
