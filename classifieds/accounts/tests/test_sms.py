"""SMS delivery through Eskiz.uz, faked at its HTTP boundary: success, refusals, timeouts and retries."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from huey.contrib.djhuey import HUEY

from classifieds.accounts import sms
from classifieds.accounts.tasks import send_sms_task

from .conftest import OTP
from .fake_eskiz import serve

pytestmark = pytest.mark.django_db

TEXT = "Bozor: your sign-in code is 482913. Do not tell it to anyone."


@pytest.fixture
def eskiz(settings):
    fake, server = serve()
    settings.SMS_BACKEND = "classifieds.accounts.sms.EskizBackend"
    settings.SMS_API_URL = fake.url
    settings.SMS_LOGIN = "bozor@example.uz"
    settings.SMS_PASSWORD = "eskiz-secret"
    settings.SMS_SENDER = "4546"
    settings.SMS_TIMEOUT = 0.3
    cache.delete(sms.EskizBackend.CACHE_KEY)
    HUEY.flush()
    yield fake
    HUEY.flush()
    server.shutdown()
    server.server_close()


def scheduled_retries() -> list:
    return [task for task in HUEY.scheduled() if task.name == "send_sms_task"]


def run_retries() -> None:
    """What the Huey consumer does once the retry delay has passed."""
    later = HUEY._get_timestamp().replace(year=2999)
    for task in HUEY.read_schedule(later):
        HUEY.execute(task, timestamp=later)


class TestEskizBackend:
    def test_it_logs_in_once_and_sends_the_number_without_plus(self, eskiz):
        backend = sms.EskizBackend()
        assert backend.send(to="+998901112233", text=TEXT) == "msg-1"
        assert backend.send(to="+998901112244", text="again") == "msg-2"
        assert len(eskiz.logins) == 1  # the token is kept in the shared cache
        assert eskiz.logins[0].form == {"email": "bozor@example.uz", "password": "eskiz-secret"}
        first = eskiz.sent[0]
        assert first.form == {"mobile_phone": "998901112233", "message": TEXT, "from": "4546"}
        assert first.headers["authorization"] == "Bearer token-1"

    def test_an_expired_token_means_logging_in_again(self, eskiz):
        cache.set(sms.EskizBackend.CACHE_KEY, "stale-token")
        assert sms.EskizBackend().send(to="+998901112233", text=TEXT)
        assert len(eskiz.logins) == 1
        assert [r.headers["authorization"] for r in eskiz.sent] == ["Bearer stale-token", "Bearer token-1"]

    def test_a_refusal_is_permanent_and_says_why(self, eskiz):
        eskiz.reply("/api/message/sms/send", 400, {"status": "error", "message": "Template not approved: 482913"})
        with pytest.raises(sms.SmsRejected) as error:
            sms.EskizBackend().send(to="+998901112233", text=TEXT)
        assert "Template not approved" in str(error.value)
        assert "482913" not in str(error.value)

    def test_wrong_credentials_are_a_refusal(self, eskiz):
        eskiz.reply("/api/auth/login", 401, {"message": "Unauthorized"})
        with pytest.raises(sms.SmsRejected):
            sms.EskizBackend().send(to="+998901112233", text=TEXT)

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_a_provider_outage_is_temporary(self, eskiz, status):
        eskiz.reply("/api/message/sms/send", status, {"message": "oops"})
        with pytest.raises(sms.SmsTemporaryError):
            sms.EskizBackend().send(to="+998901112233", text=TEXT)

    def test_a_timeout_is_temporary_and_does_not_carry_the_text(self, eskiz):
        eskiz.reply("/api/message/sms/send", 200, {"id": "late"}, delay=1.0)
        with pytest.raises(sms.SmsTemporaryError) as error:
            sms.EskizBackend().send(to="+998901112233", text=TEXT)
        # Not chained to httpx's exception, which holds the request and with it the text.
        assert error.value.__cause__ is None and error.value.__suppress_context__
        assert "482913" not in str(error.value)

    def test_an_unreachable_provider_is_temporary(self, settings, eskiz):
        settings.SMS_API_URL = "http://127.0.0.1:9/api"  # discard port: connection refused
        with pytest.raises(sms.SmsTemporaryError):
            sms.EskizBackend().send(to="+998901112233", text=TEXT)


class TestSendSmsTask:
    def test_a_timeout_is_retried_later_and_then_delivered(self, eskiz, caplog):
        caplog.set_level(logging.INFO)
        eskiz.reply("/api/message/sms/send", 200, {"id": "late"}, delay=1.0)
        send_sms_task("+998901112233", TEXT)
        retries = scheduled_retries()
        assert len(retries) == 1
        assert retries[0].retries == 2  # three tries in all after the first

        run_retries()
        assert len(eskiz.sent) == 2
        assert scheduled_retries() == []
        assert "482913" not in caplog.text
        assert "accepted by the provider as msg-2" in caplog.text

    def test_an_outage_is_retried_until_the_retries_run_out(self, eskiz):
        eskiz.reply("/api/message/sms/send", 503, times=10)
        send_sms_task("+998901112233", TEXT)
        for _ in range(5):
            run_retries()
        assert len(eskiz.sent) == 4  # the first try and three retries
        assert scheduled_retries() == []

    def test_a_refusal_is_logged_without_the_code_and_not_retried(self, eskiz, caplog):
        eskiz.reply("/api/message/sms/send", 400, {"status": "error", "message": "Insufficient balance"})
        send_sms_task("+998901112233", TEXT)
        assert scheduled_retries() == []
        assert "Insufficient balance" in caplog.text
        assert "482913" not in caplog.text
        assert "+998901112233" not in caplog.text  # the number is masked too


class TestSigningInWhileTheProviderStruggles:
    def test_the_user_never_sees_a_500_and_the_code_arrives_on_retry(
        self, client, eskiz, django_capture_on_commit_callbacks
    ):
        eskiz.reply("/api/message/sms/send", 200, {"id": "late"}, delay=1.0)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(OTP, {"action": "send", "phone": "90 111 22 33"})
        assert response.status_code == 302
        assert 'name="code"' in client.get(OTP).content.decode()

        run_retries()
        code = re.search(r"\b\d{6}\b", eskiz.sent[-1].form["message"]).group()
        response = client.post(OTP, {"action": "verify", "code": code})
        assert response.status_code == 302
        assert SESSION_KEY in client.session

    def test_a_refused_sms_still_answers_normally(self, client, eskiz, django_capture_on_commit_callbacks):
        eskiz.reply("/api/message/sms/send", 400, {"message": "Invalid number"})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(OTP, {"action": "send", "phone": "90 111 22 33"})
        assert response.status_code == 302
