"""The Prometheus metrics of the site, and the small functions other apps record outcomes with.

Every process (gunicorn workers, the Huey worker) records into prometheus_client's default
registry; with ``PROMETHEUS_MULTIPROC_DIR`` set (production: the same directory for web and
worker, emptied at start) each process writes its own file and ``/metrics`` adds them up.
Queue length and lag are read from the queue at scrape time (``worker.QueueCollector``).
Every metric here is named in deploy/grafana and deploy/prometheus: keep them in step
(``tests/test_observability_deploy.py`` checks it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram, generate_latest, multiprocess
from prometheus_client.registry import REGISTRY, Collector

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

http_request_duration = Histogram(
    "bozor_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it, by view name.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
http_responses = Counter(
    "bozor_http_responses",
    "Responses by view name and status class (2xx, 3xx, 4xx, 5xx).",
    ["view", "status"],
)
slow_queries = Counter("bozor_slow_sql_queries", "SQL statements slower than SLOW_SQL_MS, by view name.", ["view"])
search_duration = Histogram(
    "bozor_search_duration_seconds",
    "Search backend calls (summary: count and facets; ids: one page of results), by backend.",
    ["backend", "operation"],
    buckets=LATENCY_BUCKETS,
)
sms_sent = Counter(
    "bozor_sms",
    "SMS handed to the provider, by backend and outcome (sent, rejected, temporary_error).",
    ["backend", "outcome"],
)
psp_calls = Counter(
    "bozor_psp_calls",
    "Payment providers' calls to our webhooks, by provider and outcome (ok, refused, error).",
    ["provider", "outcome"],
)
huey_tasks = Counter(
    "bozor_huey_tasks", "Huey tasks run, by task and outcome (complete, error, retrying, ...).", ["task", "outcome"]
)
huey_task_duration = Histogram(
    "bozor_huey_task_duration_seconds", "How long Huey tasks ran, by task.", ["task"], buckets=LATENCY_BUCKETS
)

_extra_collectors: list[Collector] = []


def collector_register(collector: Collector) -> None:
    """Collect ``collector`` at scrape time too (values read when scraped, like the queue's length)."""
    _extra_collectors.append(collector)


class _Exposed:
    """What ``/metrics`` shows: this process's metrics (or every process's, in multiprocess mode) and the extras."""

    def collect(self):
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            yield from multiprocess.MultiProcessCollector(None).collect()
        else:
            yield from REGISTRY.collect()
        for collector in _extra_collectors:
            yield from collector.collect()


def exposition() -> bytes:
    """The text format of every metric."""
    return generate_latest(_Exposed())


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


@contextmanager
def search_timed(*, backend: str, operation: str) -> Iterator[None]:
    """Time one search backend call."""
    start = time.perf_counter()
    try:
        yield
    finally:
        search_duration.labels(backend=backend, operation=operation).observe(time.perf_counter() - start)


def sms_outcome_record(*, backend: str, outcome: str) -> None:
    """One SMS went to the provider: ``sent``, ``rejected`` (will not be retried) or ``temporary_error``."""
    sms_sent.labels(backend=backend, outcome=outcome).inc()


def psp_call_record(*, provider: str, outcome: str) -> None:
    """A payment provider called us: ``ok``, ``refused`` (answered with a protocol error) or ``error`` (5xx)."""
    psp_calls.labels(provider=provider, outcome=outcome).inc()
