"""The worker's heartbeat: written by a periodic task, read by ``/readiness``.

The periodic task goes through the same queue as every other job, so a stale
heartbeat means either that no worker (or no scheduler) runs, or that the
queue is so far behind that a job waits longer than ``HEARTBEAT_MAX_AGE``.
"""

from __future__ import annotations

import time

from django.core.cache import cache

HEARTBEAT_KEY = "worker:heartbeat"
HEARTBEAT_EVERY = 30  # seconds between two heartbeats of a healthy worker
HEARTBEAT_MAX_AGE = 90  # three missed heartbeats: the worker is gone or the queue is stuck


def heartbeat_record() -> None:
    """Note that a worker just ran a job (the shared cache: web and worker processes both see it)."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 3600)


def heartbeat_age() -> float | None:
    """Seconds since the last heartbeat, or None when there never was one (or it expired)."""
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        return None
    return max(0.0, time.time() - float(beat))
