"""Logs: a request id on every line (and in the tasks a request starts), masked phones and codes, slow SQL."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from classifieds.accounts.tests.factories import UserFactory
from classifieds.core.observability.logs import mask

OTP = "/auth/otp/"
PHONE = "+998901112233"


@pytest.fixture
def console_lines():
    """What the configured console handler writes (its filters and formatter: JSON in tests), as a list."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    handler.setStream(previous)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "classifieds.request"]


class TestMasking:
    @pytest.mark.parametrize(
        "text",
        ["+998901112233", "+998 90 111 22 33", "998901112233", "90 111 22 33", "(90) 111-22-33", "+7 912 345 67 89"],
    )
    def test_phone_numbers_keep_only_their_last_two_digits(self, text):
        masked = mask(f"SMS to {text}: sent")
        assert masked.endswith("33: sent") or masked.endswith("89: sent")
        assert not re.search(r"\d{3}", masked.replace("+998", "")), masked

    @pytest.mark.parametrize(
        "text",
        [
            "Bozor: ваш код для входа 123456. Никому не сообщайте его.",
            "Bozor: kirish kodingiz 123456. Hech kimga aytmang.",
            "POST /auth/otp/ code=123456",
            "OTP: 1234",
        ],
    )
    def test_one_time_codes_are_hidden(self, text):
        masked = mask(text)
        assert "123456" not in masked and "1234" not in masked
        assert "***" in masked

    @pytest.mark.parametrize(
        "text",
        ["2026-12-07 11:11:11", "127.0.0.1:8000", "listing 123456 took 1234 ms", "order 1500000000 sum", "GET / 200"],
    )
    def test_dates_addresses_ids_and_durations_stay_readable(self, text):
        assert mask(text) == text


@pytest.mark.django_db(transaction=True)  # the code's SMS is enqueued when the sign-in transaction commits
class TestASignInLogLine:
    def test_the_sms_line_masks_the_number_and_the_code_and_carries_the_request_id(
        self, client, settings, console_lines, worker_queue
    ):
        """The console SMS backend (make run's) logs the whole text: the log line must not."""
        settings.DEBUG = True  # the console backend writes the text only with DEBUG (the code is then 000000)
        settings.SMS_BACKEND = "classifieds.accounts.sms.ConsoleBackend"
        response = client.post(OTP, {"action": "send", "phone": PHONE}, HTTP_X_REQUEST_ID="signin-request-0001")
        assert response.status_code == 302
        assert response["X-Request-ID"] == "signin-request-0001"

        # The worker, in another process, runs the task long after the request has ended.
        task = worker_queue.dequeue()
        assert task.name == "send_sms_task"
        worker_queue.execute(task)

        [line] = [line for line in console_lines() if line["logger"] == "classifieds.accounts.sms"]
        assert "901112233" not in json.dumps(line) and "000000" not in json.dumps(line)
        assert line["message"].startswith("SMS to +**********33: Bozor")
        assert line["request_id"] == "signin-request-0001"
        assert line["task"] == "send_sms_task"
        [accepted] = [line for line in console_lines() if line["logger"] == "classifieds.accounts.tasks"]
        assert accepted["request_id"] == "signin-request-0001"


class TestRequestId:
    def test_a_new_id_is_made_and_returned_when_none_comes_in(self, client):
        response = client.get("/healthz")
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
        assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]

    def test_the_proxys_id_is_kept(self, client):
        assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-abc123DEF")["X-Request-ID"] == "nginx-abc123DEF"

    @pytest.mark.parametrize("header", ["short", "has spaces in it", "x" * 65, "new\nline-injected"])
    def test_an_unusable_id_is_replaced(self, client, header):
        assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz", HTTP_X_REQUEST_ID=header)["X-Request-ID"])


class TestTheRequestLine:
    def test_one_json_line_per_request_with_view_status_and_duration(self, client, console_lines):
        response = client.get("/healthz")
        [line] = request_lines(console_lines())
        assert line["request_id"] == response["X-Request-ID"]
        assert line["view"] == "healthz"
        assert line["status"] == 200
        assert line["method"] == "GET" and line["path"] == "/healthz"
        assert isinstance(line["duration_ms"], float)
        assert line["level"] == "INFO"
        assert "user_id" not in line  # nobody signed in (and the user was never loaded)

    @pytest.mark.django_db
    def test_it_names_the_signed_in_user(self, console_lines):
        user = UserFactory()
        client = Client()
        client.force_login(user)
        client.get("/u/listings/")
        [line] = request_lines(console_lines())
        assert line["user_id"] == user.pk
        assert line["view"] == "web:seller_listings"

    def test_an_unknown_path_is_one_label_not_one_per_path(self, client, console_lines):
        assert client.get("/no/such/page/at/all/").status_code == 404
        [line] = request_lines(console_lines())
        assert line["view"] == "<unresolved>"
        assert line["status"] == 404


@pytest.mark.django_db
class TestSlowSql:
    def test_a_statement_over_the_threshold_is_logged_with_its_view(self, client, settings, console_lines):
        settings.SLOW_SQL_MS = 0  # every statement is "slow"
        client.get("/readiness")
        slow = [line for line in console_lines() if line["logger"] == "classifieds.sql"]
        assert slow, console_lines()
        assert all(line["view"] == "readiness" for line in slow)
        assert any("SELECT 1" in line["message"] for line in slow)
        assert all(line["level"] == "WARNING" and "duration_ms" in line for line in slow)

    def test_statements_under_it_are_not(self, client, settings, console_lines):
        settings.SLOW_SQL_MS = 60_000
        client.get("/readiness")
        assert not [line for line in console_lines() if line["logger"] == "classifieds.sql"]

    def test_outside_a_request_nothing_is_wrapped(self, settings, console_lines):
        settings.SLOW_SQL_MS = 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert not [line for line in console_lines() if line["logger"] == "classifieds.sql"]


FORMAT_PROBE = """
import json, logging
import django
django.setup()
handler = next(h for h in logging.getLogger().handlers if h.name == "console")
record = logging.makeLogRecord({"name": "demo", "levelname": "INFO", "msg": "SMS to %s", "args": ("+998901112233",)})
for log_filter in handler.filters:
    log_filter.filter(record)
print(json.dumps({"formatter": type(handler.formatter).__name__, "line": handler.format(record),
                  "huey": [h.name for h in logging.getLogger("huey").handlers]}))
"""


@pytest.mark.parametrize(("debug", "formatter"), [("1", "PlainFormatter"), ("0", "JsonFormatter")])
def test_make_run_logs_for_people_production_for_machines(tmp_path, debug, formatter):
    env = {key: value for key, value in os.environ.items() if key not in {"LOG_FORMAT", "DJANGO_DEBUG"}}
    env |= {"DJANGO_SETTINGS_MODULE": "classifieds.settings", "BOZOR_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": debug}
    result = subprocess.run(
        [sys.executable, "-c", FORMAT_PROBE],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["formatter"] == formatter
    assert found["huey"] == ["console"]  # the worker's lines go through the same filters
    assert "901112233" not in found["line"] and "+**********33" in found["line"]
    if formatter == "JsonFormatter":
        assert json.loads(found["line"])["message"] == "SMS to +**********33"
