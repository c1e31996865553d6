"""/readiness runs the checks the apps registered: core's own, and each app's dependency (search)."""

from __future__ import annotations

import pytest

from classifieds.core import readiness

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_check():
    """Register a check for the test, and take it out again."""
    registered = []

    def register(name, check):
        readiness.readiness_check_register(name, check)
        registered.append(name)

    yield register
    for name in registered:
        readiness._checks.pop(name, None)  # noqa: SLF001  (the test's own registration)


def test_core_and_search_contribute_their_checks_in_order():
    assert list(readiness.readiness_checks()) == ["database", "cache", "queue", "worker", "search"]


def test_a_registered_check_is_run_and_its_details_reported(client, extra_check):
    extra_check("sms", lambda: {"sms_credit": 42})
    body = client.get("/readiness").json()
    assert body["checks"]["sms"] == "ok"
    assert body["details"]["sms_credit"] == 42


def test_a_failing_registered_check_makes_the_probe_fail_and_names_it(client, extra_check):
    def not_ready():
        raise readiness.NotReady("provider says no")

    extra_check("sms", not_ready)
    response = client.get("/readiness")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["sms"]
    assert body["checks"]["sms"] == "error: NotReady: provider says no"


def test_an_unexpected_error_names_only_its_type(client, extra_check):
    def broken():
        raise ValueError("secret detail")

    extra_check("sms", broken)
    assert client.get("/readiness").json()["checks"]["sms"] == "error: ValueError"
