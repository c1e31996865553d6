"""Sentry and OpenTelemetry: each switched on by its environment variable only, off by default.

``settings`` calls ``sentry_init`` with ``SENTRY_DSN`` and ``otel_init`` with
``OTEL_EXPORTER_OTLP_ENDPOINT``; with either unset nothing is imported or started.
OpenTelemetry: a span per request (``request_span``) exported over OTLP/HTTP in batches;
the exporter reads the standard ``OTEL_*`` variables (headers, service name, ...).
"""

from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext
from typing import Any

from . import logs

_tracer: Any = None


def mask_event(event: dict, hint: dict | None = None) -> dict:
    """What Sentry sends, with phones and codes masked like the logs (messages and exception values)."""
    logentry = event.get("logentry") or {}
    for key in ("message", "formatted"):
        if isinstance(logentry.get(key), str):
            logentry[key] = logs.mask(logentry[key])
    if logentry.get("params"):
        logentry["params"] = [logs.mask(str(param)) for param in logentry["params"]]
    if isinstance(event.get("message"), str):
        event["message"] = logs.mask(event["message"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = logs.mask(exception["value"])
    return event


def mask_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    if isinstance(crumb.get("message"), str):
        crumb["message"] = logs.mask(crumb["message"])
    return crumb


def sentry_init(dsn: str, *, environment: str = "production") -> bool:
    """Report errors to Sentry; no-op without a DSN. Returns whether it is on."""
    if not dsn:
        return False
    import sentry_sdk

    # No frame locals, no request bodies or user data: they may hold one-time codes and phone numbers.
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=mask_event,
        before_breadcrumb=mask_breadcrumb,
    )
    return True


def otel_init(endpoint: str, *, service_name: str = "bozor") -> bool:
    """Export a span per request (and per task) to the OTLP/HTTP collector at ``endpoint``; no-op without one."""
    global _tracer
    if not endpoint:
        return False
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, when set, name the service instead.
    named = os.environ.get("OTEL_SERVICE_NAME") or "service.name=" in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    provider = TracerProvider(resource=Resource.create({} if named else {SERVICE_NAME: service_name}))
    # The exporter adds /v1/traces to the base endpoint itself when it reads the variable.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _tracer = trace.get_tracer("classifieds")
    return True


def enabled() -> bool:
    return _tracer is not None


def request_span(request):
    """A server span around the request when OpenTelemetry is on (the remote parent from ``traceparent``)."""
    if _tracer is None:
        return nullcontext()
    return _server_span(request)


@contextmanager
def _server_span(request):
    from opentelemetry import propagate
    from opentelemetry.trace import SpanKind

    parent = propagate.extract(request.headers)
    with _tracer.start_as_current_span(
        f"{request.method} {request.path}",
        context=parent,
        kind=SpanKind.SERVER,
        attributes={"http.request.method": request.method, "url.path": request.path},
    ) as span:
        yield span


def span_finish(span, *, request, response, view: str) -> None:
    """Name the span by its view (low cardinality, like the metrics) and record the status."""
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    span.update_name(f"{request.method} {view}")
    span.set_attribute("http.route", view)
    span.set_attribute("http.response.status_code", response.status_code)
    span.set_attribute("bozor.request_id", getattr(request, "request_id", ""))
    if response.status_code >= 500:
        span.set_status(Status(StatusCode.ERROR))


def task_span_start(name: str, request_id: str):
    """A consumer span for one Huey task when OpenTelemetry is on (ended by ``task_span_end``), else None."""
    if _tracer is None:
        return None
    from opentelemetry.trace import SpanKind

    return _tracer.start_span(f"task {name}", kind=SpanKind.CONSUMER, attributes={"bozor.request_id": request_id})


def task_span_end(span, *, failed: bool) -> None:
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    if failed:
        span.set_status(Status(StatusCode.ERROR))
    span.end()
