"""Prometheus ``/metrics``: what it exposes, and who may read it."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.http import HttpResponse, JsonResponse
from prometheus_client import REGISTRY

from classifieds.accounts import sms
from classifieds.accounts.tasks import send_sms_task
from classifieds.payments.views import webhook_outcome

PHONE = "+998901112233"
ROOT = Path(__file__).resolve().parents[3]


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestWhoMayRead:
    def test_loopback_may(self, client):
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")

    def test_the_public_gets_nothing_there(self, client):
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 404

    def test_behind_the_proxy_the_forwarded_client_counts_not_the_proxys_loopback(self, client, settings):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert response.status_code == 404
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200  # Prometheus on the host itself

    def test_an_allowed_network_may(self, client, settings):
        settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404

    def test_the_token_opens_it_from_anywhere(self, client, settings):
        settings.METRICS_TOKEN = "s3cret-scrape-token"
        response = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
        assert response.status_code == 200

    def test_a_wrong_token_is_refused_even_from_loopback(self, client, settings):
        settings.METRICS_TOKEN = "s3cret-scrape-token"
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess").status_code == 403

    def test_a_token_is_refused_when_none_is_configured(self, client, settings):
        settings.METRICS_TOKEN = ""
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer ").status_code == 404
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer x").status_code == 403

    def test_it_has_no_language_prefix_and_takes_get_only(self, client):
        assert client.get("/uz/metrics").status_code == 404
        assert client.post("/metrics").status_code == 405


class TestRequests:
    def test_latency_is_observed_by_view_name(self, client):
        before = sample("bozor_http_request_duration_seconds_count", view="healthz")
        client.get("/healthz")
        assert sample("bozor_http_request_duration_seconds_count", view="healthz") == before + 1
        body = client.get("/metrics").content.decode()
        assert 'bozor_http_request_duration_seconds_bucket{le="0.5",view="healthz"}' in body

    def test_responses_are_counted_by_status_class(self, client):
        before = sample("bozor_http_responses_total", view="<unresolved>", status="4xx")
        client.get("/no/such/page/")
        assert sample("bozor_http_responses_total", view="<unresolved>", status="4xx") == before + 1
        before = sample("bozor_http_responses_total", view="healthz", status="4xx")
        client.post("/healthz")
        assert sample("bozor_http_responses_total", view="healthz", status="4xx") == before + 1


@pytest.mark.django_db
class TestQueue:
    def test_length_and_lag_are_read_when_scraped(self, client, worker_queue):
        import time_machine

        from classifieds.core.tasks import worker_heartbeat_again_task

        body = client.get("/metrics").content.decode()
        assert "bozor_huey_queue_length 0.0" in body
        assert "bozor_huey_queue_lag_seconds 0.0" in body
        with time_machine.travel(time.time() - 120, tick=False):
            worker_heartbeat_again_task()
        worker_heartbeat_again_task()
        body = client.get("/metrics").content.decode()
        assert "bozor_huey_queue_length 2.0" in body
        lag = float(re.search(r"^bozor_huey_queue_lag_seconds (\S+)$", body, re.M)[1])
        assert 119 <= lag <= 130

    def test_task_outcomes_are_counted(self, settings):
        settings.SMS_BACKEND = "classifieds.accounts.sms.LocmemBackend"
        before = sample("bozor_huey_tasks_total", task="send_sms_task", outcome="complete")
        send_sms_task(PHONE, "hello")
        assert sample("bozor_huey_tasks_total", task="send_sms_task", outcome="complete") == before + 1
        assert sample("bozor_huey_task_duration_seconds_count", task="send_sms_task") >= 1


class RejectingBackend(sms.BaseSmsBackend):
    def send(self, *, to: str, text: str) -> str:
        raise sms.SmsRejected("no balance")


class FailingBackend(sms.BaseSmsBackend):
    def send(self, *, to: str, text: str) -> str:
        raise sms.SmsTemporaryError("timeout")


@pytest.mark.django_db
class TestSms:
    def test_sent_rejected_and_failed_are_counted_by_backend(self, settings):
        cases = [
            ("classifieds.accounts.sms.LocmemBackend", "locmem", "sent"),
            (f"{__name__}.RejectingBackend", "rejecting", "rejected"),
            (f"{__name__}.FailingBackend", "failing", "temporary_error"),
        ]
        for path, backend, outcome in cases:
            settings.SMS_BACKEND = path
            before = sample("bozor_sms_total", backend=backend, outcome=outcome)
            send_sms_task(PHONE, "code 123456")
            assert sample("bozor_sms_total", backend=backend, outcome=outcome) >= before + 1, outcome

    def test_a_failure_shows_as_a_task_error(self, settings):
        settings.SMS_BACKEND = f"{__name__}.FailingBackend"
        before = sample("bozor_huey_tasks_total", task="send_sms_task", outcome="error")
        send_sms_task(PHONE, "code 123456")
        assert sample("bozor_huey_tasks_total", task="send_sms_task", outcome="error") >= before + 1


def payme(client, body: dict, *, key: str = "test-payme-key"):
    auth = base64.b64encode(f"Paycom:{key}".encode()).decode()
    return client.post(
        "/payments/payme/webhook/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


@pytest.mark.django_db
class TestPaymentProviders:
    @pytest.fixture(autouse=True)
    def payme_on(self, settings):
        settings.PAYMENT_PROVIDERS = ["payme"]
        settings.PAYME_MERCHANT_ID = "5e730e8e0b852a417aa49ceb"
        settings.PAYME_KEY = "test-payme-key"

    def test_calls_are_counted_by_provider_and_outcome(self, client):
        ok = sample("bozor_psp_calls_total", provider="payme", outcome="ok")
        refused = sample("bozor_psp_calls_total", provider="payme", outcome="refused")
        statement = {"id": 1, "method": "GetStatement", "params": {"from": 0, "to": 1}}
        assert "result" in payme(client, statement).json()
        assert "error" in payme(client, statement, key="wrong").json()
        assert sample("bozor_psp_calls_total", provider="payme", outcome="ok") == ok + 1
        assert sample("bozor_psp_calls_total", provider="payme", outcome="refused") == refused + 1

    def test_a_provider_that_is_off_is_not_a_label(self, client):
        assert client.post("/payments/nosuch/webhook/").status_code == 404
        assert 'provider="nosuch"' not in client.get("/metrics").content.decode()

    @pytest.mark.parametrize(
        ("response", "outcome"),
        [
            (JsonResponse({"result": {"allow": True}}), "ok"),
            (JsonResponse({"error": {"code": -31050}}), "refused"),  # Payme's error object
            (JsonResponse({"error": 0, "error_note": "Success"}), "ok"),  # Click's success
            (JsonResponse({"error": -1, "error_note": "SIGN CHECK FAILED!"}), "refused"),
            (JsonResponse({"error": "bad signature"}, status=401), "refused"),  # the sandbox
            (HttpResponse(status=500), "error"),
        ],
    )
    def test_what_counts_as_refused(self, response, outcome):
        assert webhook_outcome(response) == outcome


@pytest.mark.django_db
class TestSearch:
    def test_backend_calls_are_timed_by_backend(self, client):
        before = sample("bozor_search_duration_seconds_count", backend="postgres", operation="summary")
        ids_before = sample("bozor_search_duration_seconds_count", backend="postgres", operation="ids")
        assert client.get("/search/", {"q": "iphone"}).status_code == 200
        assert sample("bozor_search_duration_seconds_count", backend="postgres", operation="summary") > before
        assert sample("bozor_search_duration_seconds_count", backend="postgres", operation="ids") >= ids_before


class TestSeveralProcesses:
    def test_with_a_shared_directory_metrics_add_up_over_web_and_worker_processes(self, tmp_path):
        """gunicorn's workers and the Huey worker are processes of their own; /metrics shows them all."""
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
        record = "from classifieds.core.observability import metrics; metrics.sms_outcome_record(backend='eskiz', outcome='sent')"
        for _process in range(2):  # e.g. the worker, twice restarted
            subprocess.run([sys.executable, "-c", record], cwd=ROOT, env=env, check=True, timeout=60)
        show = "from classifieds.core.observability import metrics; print(metrics.exposition().decode())"
        shown = subprocess.run(
            [sys.executable, "-c", show], cwd=ROOT, env=env, check=True, timeout=60, capture_output=True, text=True
        ).stdout
        assert 'bozor_sms_total{backend="eskiz",outcome="sent"} 2.0' in shown
