"""One log line and the metrics of every request; its request id; SQL slower than ``SLOW_SQL_MS``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

from . import context, metrics, tracing

logger = logging.getLogger("classifieds.request")
sql_logger = logging.getLogger("classifieds.sql")

REQUEST_ID_HEADER = "X-Request-ID"
UNRESOLVED = "<unresolved>"  # static files, 404s: one label, so a scan of random paths adds no series


def view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return match.view_name or UNRESOLVED


class SlowQueryLogger:
    """A connection ``execute_wrapper``: log (and count) a statement slower than the threshold, with its view."""

    def __init__(self, log_context: context.LogContext, threshold_ms: float) -> None:
        self.log_context = log_context
        self.threshold_ms = threshold_ms

    def __call__(self, execute, sql, params, many, ctx):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            elapsed_ms = (time.perf_counter() - start) * 1000
            if elapsed_ms >= self.threshold_ms:
                view = self.log_context.view or UNRESOLVED
                metrics.slow_queries.labels(view=view).inc()
                # The statement, never its parameters (they hold what visitors typed: phones, codes).
                sql_logger.warning(
                    "slow SQL (%.0f ms) in %s: %s",
                    elapsed_ms,
                    view,
                    str(sql)[:2000],
                    extra={"duration_ms": round(elapsed_ms, 1)},
                )


class RequestObservabilityMiddleware:
    """Outermost middleware: request id in and out, context for log lines, a log line, metrics and a span.

    The id comes from ``X-Request-ID`` when the proxy sent a usable one (else a new one) and
    goes back in the same header; tasks enqueued while handling the request carry it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        log_context = context.LogContext(
            request_id=context.request_id_from(request.headers.get(REQUEST_ID_HEADER)), request=request
        )
        request.request_id = log_context.request_id
        token = context.activate(log_context)
        wrapper = SlowQueryLogger(log_context, settings.SLOW_SQL_MS)
        try:
            with tracing.request_span(request) as span:
                with connections["default"].execute_wrapper(wrapper):
                    response = self.get_response(request)
                view = view_name(request)
                tracing.span_finish(span, request=request, response=response, view=view)
            duration = time.perf_counter() - start
            response[REQUEST_ID_HEADER] = log_context.request_id
            log_context.view = view
            metrics.http_request_duration.labels(view=view).observe(duration)
            metrics.http_responses.labels(view=view, status=metrics.status_class(response.status_code)).inc()
            logger.log(
                logging.WARNING if response.status_code >= 500 else logging.INFO,
                "%s %s %s %.0f ms",
                request.method,
                request.path,
                response.status_code,
                duration * 1000,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                },
            )
            return response
        finally:
            context.deactivate(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        """Name the view as soon as it is known: log lines written inside it carry the name."""
        log_context = context.current()
        if log_context is not None:
            log_context.view = view_name(request)
