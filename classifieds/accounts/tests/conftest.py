"""Fixtures of the accounts tests: an SMS outbox, a controlled clock, signing in."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from classifieds.accounts import sms

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "otp-step"}
OTP = "/auth/otp/"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS are kept in memory (the locmem backend), so a test can read the code it got."""
    settings.SMS_BACKEND = "classifieds.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def clock():
    """Frozen time (10:00:30 UTC) that a test moves with ``clock.shift(seconds)``.

    Moves everything that reads the time: our limits, allauth's code expiry and
    the database cache's expiry.
    """
    with time_machine.travel(datetime(2026, 5, 4, 10, 0, 30, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """SMS are enqueued on commit; tests run inside a transaction, so run those callbacks."""

    def post(client: Client, path: str, data: dict, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data, **extra)

    return post


def last_code(outbox) -> str:
    """The code in the newest SMS."""
    assert outbox, "no SMS was sent"
    match = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert match, "the SMS has no 6-digit code"
    return match.group(1)


@pytest.fixture
def sign_in(run_on_commit, sms_outbox):
    """Go through the whole phone sign-in with the code from the SMS; return the last response."""

    def do(client: Client, phone: str = "+998901112233", next_url: str = ""):
        data = {"action": "send", "phone": phone}
        if next_url:
            data["next"] = next_url
        response = run_on_commit(client, OTP, data)
        assert response.status_code == 302, response.content.decode()[:500]
        data = {"action": "verify", "code": last_code(sms_outbox)}
        if next_url:
            data["next"] = next_url
        return run_on_commit(client, OTP, data)

    return do
