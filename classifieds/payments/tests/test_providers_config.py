"""Which payment providers a deployment offers: paid promotions must never be free in production."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import ERROR, run_checks
from django.urls import reverse

from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.orders.tests.factories import make_order
from classifieds.payments.providers import enabled_providers

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "settings.py"
CREDENTIALS = {
    "PAYME_MERCHANT_ID": "5e730e8e0b852a417aa49ceb",
    "PAYME_KEY": "test-payme-key",
    "CLICK_SERVICE_ID": "1234",
    "CLICK_MERCHANT_ID": "5678",
    "CLICK_SECRET_KEY": "test-click-secret",
}


def offered(settings, *, debug: bool, named: list[str], keys: bool) -> list[str]:
    settings.DEBUG = debug
    settings.PAYMENT_PROVIDERS = named
    for name, value in CREDENTIALS.items():
        setattr(settings, name, value if keys else "")
    return [provider.name for provider in enabled_providers()]


class TestOfferedProviders:
    @pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
    @pytest.mark.parametrize("sandbox_named", [True, False], ids=["sandbox-named", "sandbox-not-named"])
    @pytest.mark.parametrize("keys", [True, False], ids=["keys", "no-keys"])
    def test_the_sandbox_needs_its_name_and_debug_and_a_real_provider_needs_its_keys(
        self, settings, debug, sandbox_named, keys
    ):
        named = ["payme", "click"] + (["sandbox"] if sandbox_named else [])
        expected = (["payme", "click"] if keys else []) + (["sandbox"] if sandbox_named and debug else [])
        assert offered(settings, debug=debug, named=named, keys=keys) == expected

    def test_production_without_keys_offers_nothing_even_when_the_sandbox_is_named(self, settings):
        assert offered(settings, debug=False, named=["sandbox"], keys=False) == []

    def test_the_sandbox_label_is_translated(self, settings):
        from django.utils import translation

        offered(settings, debug=True, named=["sandbox"], keys=False)
        with translation.override("uz"):
            assert str(enabled_providers()[0].label) == "Sinov to‘lovi (sandbox)"
        with translation.override("ru"):
            assert str(enabled_providers()[0].label) == "Тестовая оплата (песочница)"


class TestDefaultSetting:
    """PAYMENT_PROVIDERS unset: what ``settings.py`` itself computes from the environment."""

    def load(self, monkeypatch, *, debug: bool, keys: bool) -> list[str]:
        monkeypatch.delenv("PAYMENT_PROVIDERS", raising=False)
        monkeypatch.setenv("DJANGO_DEBUG", "1" if debug else "0")
        for name, value in CREDENTIALS.items():
            if keys:
                monkeypatch.setenv(name, value)
            else:
                monkeypatch.delenv(name, raising=False)
        return runpy.run_path(str(SETTINGS_FILE))["PAYMENT_PROVIDERS"]

    def test_make_run_offers_the_sandbox_for_the_local_demo(self, monkeypatch):
        assert self.load(monkeypatch, debug=True, keys=False) == ["sandbox"]

    def test_production_without_keys_names_no_provider(self, monkeypatch):
        assert self.load(monkeypatch, debug=False, keys=False) == []

    def test_production_with_keys_names_the_real_providers_only(self, monkeypatch):
        assert self.load(monkeypatch, debug=False, keys=True) == ["payme", "click"]

    def test_debug_with_keys_names_the_real_providers_and_the_sandbox(self, monkeypatch):
        assert self.load(monkeypatch, debug=True, keys=True) == ["payme", "click", "sandbox"]


class TestDeployCheck:
    def errors(self) -> list[str]:
        return [m.id for m in run_checks(include_deployment_checks=True) if m.level >= ERROR]

    def test_the_sandbox_with_debug_off_is_an_error(self, settings):
        from classifieds.payments.checks import sandbox_payments_off_in_production

        settings.DEBUG = False
        settings.PAYMENT_PROVIDERS = ["payme", "sandbox"]
        [message] = sandbox_payments_off_in_production(None)
        assert message.level == ERROR and message.id == "payments.E001"
        assert "payments.E001" in self.errors()

    def test_the_sandbox_with_debug_on_is_fine(self, settings):
        settings.DEBUG = True
        settings.PAYMENT_PROVIDERS = ["sandbox"]
        assert "payments.E001" not in self.errors()

    def test_real_providers_only_is_fine(self, settings):
        settings.DEBUG = False
        settings.PAYMENT_PROVIDERS = ["payme", "click"]
        assert not {"payments.E001", "payments.E003"} & set(self.errors())

    def test_a_real_provider_named_without_its_keys_is_an_error(self, settings):
        settings.DEBUG = False
        settings.PAYMENT_PROVIDERS = ["click"]
        settings.CLICK_SECRET_KEY = ""
        assert "payments.E003" in self.errors()

    def test_manage_py_check_deploy_fails_on_a_production_with_the_sandbox(self, tmp_path):
        """The command a release runs, with otherwise deployable production settings."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "SMS_", "PAYME_"))},
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-only-secret-" + "y" * 30,
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "bozor.uz",
            "BASE_URL": "https://bozor.uz",
            "DATABASE_URL": "postgres://bozor:secret@db.internal:5432/bozor",
            "SMS_BACKEND": "eskiz",
            "SMS_LOGIN": "sms@bozor.uz",
            "SMS_PASSWORD": "eskiz-secret",
            "BOZOR_VAR_DIR": str(tmp_path),
            "PAYMENT_PROVIDERS": "sandbox",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy"],
            cwd=SETTINGS_FILE.parents[1],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "ERRORS:" in result.stderr and "payments.E001" in result.stderr

    def test_a_misspelt_provider_is_an_error_even_outside_deploy(self, settings):
        settings.PAYMENT_PROVIDERS = ["paymee"]
        assert "payments.E002" in [m.id for m in run_checks() if m.level >= ERROR]


@pytest.mark.django_db
class TestSandboxRefusedInProduction:
    """Someone typing the sandbox's addresses by hand, on a server with DEBUG off and the sandbox named."""

    @pytest.fixture
    def order(self, settings):
        order = make_order(listing=ListingFactory(), provider="sandbox")  # made while the sandbox ran
        settings.DEBUG = False
        settings.PAYMENT_PROVIDERS = ["payme", "click", "sandbox"]
        return order

    def test_the_checkout_page_is_404_and_cannot_pay(self, client, order):
        client.force_login(order.user)
        checkout = reverse("payments:sandbox_checkout", kwargs={"pk": order.pk})
        assert client.get(checkout).status_code == 404
        assert client.post(checkout, {"outcome": "success"}).status_code == 404
        assert Order.objects.get().state == Order.State.PENDING

    def test_a_signed_webhook_is_404_and_pays_nothing(self, client, order):
        import json

        from classifieds.payments.providers.sandbox import signed_headers

        body = json.dumps(
            {"event": "payment.succeeded", "transaction_id": "sbx_1", "order_id": order.pk, "amount": order.amount}
        ).encode()
        response = client.post(
            "/payments/sandbox/webhook/", body, content_type="application/json", headers=signed_headers(body)
        )
        assert response.status_code == 404
        assert Order.objects.get().state == Order.State.PENDING
