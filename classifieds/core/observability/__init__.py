"""Observability: structured logs with a request id, Prometheus metrics, tracing switches.

- ``context``: what the current request (or the task it started) is, for every log line.
- ``logs``: the JSON formatter and the filters that add that context and mask phones and codes.
- ``middleware``: one log line and metrics per request, the request id, slow SQL.
- ``metrics``: the Prometheus metrics; other apps call its small recording functions.
- ``worker``: Huey hooks (request id into tasks, task metrics, queue length and lag).
- ``tracing``: Sentry and OpenTelemetry, each on only when its environment variable is set.
- ``views``: ``/metrics``, for allowed networks or a bearer token.

``core`` knows no domain app: they call in (``metrics.sms_outcome_record``, ...), never the reverse.
"""
