"""check --deploy refuses a production that would not send sign-in codes."""

from __future__ import annotations

from classifieds.accounts.checks import sms_backend_importable, sms_backend_sends


class TestSmsChecks:
    def test_the_console_backend_fails_the_deploy_check(self, settings):
        settings.SMS_BACKEND = "classifieds.accounts.sms.ConsoleBackend"
        assert [error.id for error in sms_backend_sends(None)] == ["accounts.E002"]

    def test_eskiz_needs_its_credentials(self, settings):
        settings.SMS_BACKEND = "classifieds.accounts.sms.EskizBackend"
        settings.SMS_LOGIN = ""
        assert [error.id for error in sms_backend_sends(None)] == ["accounts.E003"]
        settings.SMS_LOGIN, settings.SMS_PASSWORD = "sms@bozor.uz", "secret"
        assert sms_backend_sends(None) == []

    def test_a_backend_that_does_not_exist_is_reported(self, settings):
        settings.SMS_BACKEND = "classifieds.accounts.sms.NoSuchBackend"
        assert [error.id for error in sms_backend_importable(None)] == ["accounts.E001"]
