"""Sentry and OpenTelemetry stay off without their environment variables and start with them (no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# A process of its own: settings read the environment once, at start-up.
PROBE = """
import json, os
import django
django.setup()
import sentry_sdk
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from django.test import Client
from classifieds.core.observability import tracing

provider = trace.get_tracer_provider()
spans = []
if isinstance(provider, TracerProvider):
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="trace-probe-0001")
    spans = [
        {"name": s.name, "kind": s.kind.name, "attributes": dict(s.attributes)} for s in exporter.get_finished_spans()
    ]
client = sentry_sdk.get_client()
print(json.dumps({
    "sentry": client.is_active(),
    "sentry_pii": client.options.get("send_default_pii") if client.is_active() else None,
    "sentry_locals": client.options.get("include_local_variables") if client.is_active() else None,
    "otel": isinstance(provider, TracerProvider),
    "tracing": tracing.enabled(),
    "spans": spans,
}))
os._exit(0)  # leave without flushing anything anywhere
"""


def probe(tmp_path, **env) -> dict:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SENTRY_", "OTEL_")) and key != "DJANGO_DEBUG"
    }
    environ |= {"DJANGO_SETTINGS_MODULE": "classifieds.settings", "BOZOR_VAR_DIR": str(tmp_path), **env}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_both_are_off_by_default(tmp_path):
    found = probe(tmp_path)
    assert found["sentry"] is False
    assert found["otel"] is False and found["tracing"] is False


def test_a_sentry_dsn_turns_sentry_on_without_personal_data(tmp_path):
    found = probe(tmp_path, SENTRY_DSN="https://public@sentry.invalid/1")
    assert found["sentry"] is True
    assert found["sentry_pii"] is False and found["sentry_locals"] is False
    assert found["otel"] is False


def test_an_otlp_endpoint_turns_tracing_on_with_a_span_per_request(tmp_path):
    found = probe(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert found["otel"] is True and found["tracing"] is True
    assert found["sentry"] is False
    [span] = found["spans"]
    assert span["name"] == "GET healthz"
    assert span["kind"] == "SERVER"
    assert span["attributes"]["http.response.status_code"] == 200
    assert span["attributes"]["bozor.request_id"] == "trace-probe-0001"


def test_what_sentry_would_send_is_masked_like_the_logs():
    from classifieds.core.observability.tracing import mask_breadcrumb, mask_event

    event = {
        "logentry": {"message": "SMS to %s: %s", "params": ["+998901112233", "ваш код для входа 123456"]},
        "exception": {"values": [{"type": "SmsRejected", "value": "refused +998901112233"}]},
    }
    sent = json.dumps(mask_event(event), ensure_ascii=False)
    assert "901112233" not in sent and "123456" not in sent
    assert "+**********33" in sent
    assert mask_breadcrumb({"message": "code=123456"})["message"] == "code=***"
