"""Probes for the load balancer and the orchestrator."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey.contrib.djhuey import HUEY

from classifieds.search import ping_search

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


def _check_queue() -> None:
    # Reading the pending count touches the queue storage (Redis or SQLite file).
    HUEY.storage.queue_size()


CHECKS = {"database": _check_database, "cache": _check_cache, "queue": _check_queue, "search": ping_search}


@require_GET
@never_cache
def readiness(request: HttpRequest) -> JsonResponse:
    """Every dependency answers; 503 naming the failing ones otherwise."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # a probe reports failures, it must not raise
            logger.warning("readiness: %s failed: %s", name, exc)
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    failing = [name for name, state in results.items() if state != "ok"]
    status = 503 if failing else 200
    return JsonResponse({"status": "fail" if failing else "ok", "failing": failing, "checks": results}, status=status)
