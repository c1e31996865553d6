"""Huey hooks: the request id travels into tasks; task outcomes, queue length and lag become metrics.

Huey's message has no room for headers, so the id of a task says where it came from:
``<uuid hex>.<enqueued at, ms since the epoch>.<request id>`` (stamped on the ``enqueued``
signal, before the task is serialized). The worker reads the request id back before the task
runs, and the queue's lag is the age of the oldest waiting task, read from its id.
Tasks enqueued before this format (plain uuids) simply have neither.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass

from huey import signals
from huey.contrib.djhuey import HUEY
from prometheus_client.core import GaugeMetricFamily

from . import context, metrics, tracing

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskOrigin:
    enqueued_at: float | None  # seconds since the epoch
    request_id: str


def task_id_stamp(request_id: str, *, now: float | None = None) -> str:
    enqueued_ms = int((time.time() if now is None else now) * 1000)
    return f"{uuid.uuid4().hex}.{enqueued_ms}.{request_id}"


def task_origin(task_id: str) -> TaskOrigin:
    """When a task was enqueued and by which request, from its id (nothing known for a plain uuid)."""
    parts = str(task_id).split(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return TaskOrigin(enqueued_at=None, request_id="")
    return TaskOrigin(enqueued_at=int(parts[1]) / 1000, request_id=parts[2])


_HUEY_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _stamp(signal: str, task, *args, **kwargs) -> None:
    """On enqueue: give the task an id naming the current request and the time.

    Only an id Huey made up (a uuid) is replaced: a retry keeps its stamped id, and an id a caller
    chose (to revoke the task by it) is left alone.
    """
    if not _HUEY_ID.match(str(task.id)):
        return
    current = context.current()
    task.id = task_id_stamp(current.request_id if current is not None else "")
    task.revoke_id = f"r:{task.id}"


# Per thread: the context each running task replaced (tasks run in-process when HUEY.immediate,
# inside a request, so the request's context comes back afterwards).
_running = threading.local()


def _before(task) -> None:
    origin = task_origin(task.id)
    stack = getattr(_running, "stack", None)
    if stack is None:
        stack = _running.stack = []
    parent = context.current()
    request_id = origin.request_id or (parent.request_id if parent is not None else "")
    log_context = context.LogContext(request_id=request_id, task=task.name)
    span = tracing.task_span_start(task.name, request_id)
    stack.append((context.activate(log_context), time.perf_counter(), span))


def _after(task, task_value, exc) -> None:
    stack = getattr(_running, "stack", None)
    if not stack:
        return
    token, started, span = stack.pop()
    metrics.huey_task_duration.labels(task=task.name).observe(time.perf_counter() - started)
    tracing.task_span_end(span, failed=exc is not None)
    context.deactivate(token)


def _count(signal: str, task, *args, **kwargs) -> None:
    metrics.huey_tasks.labels(task=task.name, outcome=signal).inc()


def queue_lag() -> float:
    """Seconds the oldest waiting task has waited (since enqueued, or since its ETA when it was delayed).

    Reads the message at the head of the queue without loading its task (a task removed by a deploy
    still has an age).
    """
    head = HUEY.storage.enqueued_items(1)
    if not head:
        return 0.0
    try:
        message = HUEY.serializer.deserialize(head[0])
    except Exception:  # a message this code cannot read: its age is unknown, the worker will report it
        logger.warning("queue lag: the message at the head of the queue could not be read", exc_info=True)
        return 0.0
    return message_lag(message)


def message_lag(task) -> float:
    """How long a queued task (or message: anything with ``id`` and ``eta``) has waited."""
    origin = task_origin(task.id)
    if origin.enqueued_at is None:
        return 0.0
    due = origin.enqueued_at
    if task.eta is not None:
        eta = task.eta.timestamp() if task.eta.tzinfo else _naive_utc_timestamp(task.eta)
        due = max(due, eta)
    return max(0.0, time.time() - due)


def _naive_utc_timestamp(moment) -> float:
    from datetime import UTC

    return moment.replace(tzinfo=UTC).timestamp() if HUEY.utc else moment.timestamp()


def queue_state() -> tuple[int, float]:
    """(jobs waiting, seconds the oldest has waited), read from the queue storage."""
    pending = HUEY.storage.queue_size()
    return pending, (queue_lag() if pending else 0.0)


class QueueCollector:
    """Queue length and lag, read from the queue storage when ``/metrics`` is scraped."""

    def collect(self):
        length = GaugeMetricFamily("bozor_huey_queue_length", "Huey jobs waiting in the queue.")
        lag = GaugeMetricFamily(
            "bozor_huey_queue_lag_seconds", "How long the oldest waiting Huey job has waited (0: none waits)."
        )
        try:
            pending, waited = queue_state()
        except Exception:  # a scrape must not fail with the queue storage: the length goes missing instead
            logger.warning("metrics: the queue storage did not answer", exc_info=True)
            return
        length.add_metric([], pending)
        lag.add_metric([], waited)
        yield length
        yield lag


OUTCOMES = (
    signals.SIGNAL_COMPLETE,
    signals.SIGNAL_ERROR,
    signals.SIGNAL_RETRYING,
    signals.SIGNAL_EXPIRED,
    signals.SIGNAL_REVOKED,
    signals.SIGNAL_TIMEOUT,
    signals.SIGNAL_CANCELED,
    signals.SIGNAL_LOCKED,
)


def hooks_install() -> None:
    """Connect the hooks to the project's Huey (once; called from ``CoreConfig.ready``)."""
    HUEY.signal(signals.SIGNAL_ENQUEUED)(_stamp)
    HUEY.signal(*OUTCOMES)(_count)
    HUEY.pre_execute("observability_context")(_before)
    HUEY.post_execute("observability_context")(_after)
    metrics.collector_register(QueueCollector())
