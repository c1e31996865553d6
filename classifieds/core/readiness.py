"""The checks ``/readiness`` runs: a registry every app contributes to from its ``AppConfig.ready``.

``core`` registers what it owns (database, cache, the job queue and the worker's
heartbeat); an app with a dependency of its own registers a check for it (search:
its backend). So the probe knows every dependency without ``core`` importing any app.
A check returns nothing or a dict of details, and raises when its dependency is not
ready; a ``NotReady`` says why in the answer (other errors only name their type).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .worker import HEARTBEAT_MAX_AGE, heartbeat_age

Check = Callable[[], dict | None]
_checks: dict[str, Check] = {}


class NotReady(RuntimeError):
    """A dependency answers but is not ready; the message is shown in the probe's answer."""


class QueueBehind(NotReady):
    pass


class WorkerMissing(NotReady):
    pass


def readiness_check_register(name: str, check: Check) -> None:
    """Run ``check`` on every ``/readiness`` under ``name`` (registered once; checks run in registration order)."""
    _checks[name] = check


def readiness_checks() -> dict[str, Check]:
    return dict(_checks)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"readiness:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_queue() -> dict:
    from huey.contrib.djhuey import HUEY

    from .observability.worker import queue_lag

    # Reading the pending count touches the queue storage (Redis or SQLite file). Neither storage
    # records when a job was queued: the id of each job does (observability.worker), so the lag is
    # the age of the job at the head of the queue.
    pending = HUEY.storage.queue_size()
    if pending > settings.QUEUE_MAX_PENDING:
        raise QueueBehind(f"{pending} jobs waiting")
    lag = queue_lag() if pending else 0.0
    if lag > settings.QUEUE_MAX_LAG:
        raise QueueBehind(f"the oldest job has waited {lag:.0f} s")
    return {"queue_pending": pending, "queue_lag_seconds": round(lag)}


def check_worker() -> dict:
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:  # jobs run in the web process itself: there is no worker to wait for
        return {"worker_heartbeat_age": 0}
    age = heartbeat_age()
    if age is None or age > HEARTBEAT_MAX_AGE:
        raise WorkerMissing("no heartbeat" if age is None else f"last heartbeat {age:.0f} s ago")
    return {"worker_heartbeat_age": round(age)}
