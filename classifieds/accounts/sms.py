"""SMS delivery: a backend chosen by ``settings.SMS_BACKEND``, like Django's email backends.

- ``ConsoleBackend``: the embedded default. It sends nothing; with DEBUG on it logs
  the message (codes are then always ``000000``), with DEBUG off it logs only that
  a message was withheld, so a misconfigured production never writes codes to logs.
- ``LocmemBackend``: keeps messages in ``outbox`` (tests, like ``mail.outbox``).
- ``EskizBackend``: Eskiz.uz's HTTP API through httpx with timeouts.

Backends raise ``SmsTemporaryError`` when trying again may help (timeout, network,
5xx) and ``SmsRejected`` when it will not (bad number, no balance, unapproved
text). Neither exception ever carries the message text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from classifieds.core.phones import mask_phone

logger = logging.getLogger(__name__)

FIXED_CODE = "000000"


class SmsError(Exception):
    """Delivery failed. The message says why, never what was being sent."""


class SmsTemporaryError(SmsError):
    """Worth retrying later: timeout, network error, provider's 5xx."""


class SmsRejected(SmsError):
    """The provider refused the message; retrying would not help."""


class BaseSmsBackend:
    def send(self, *, to: str, text: str) -> str:
        """Send ``text`` to the E.164 number ``to``; return the provider's message id."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Development and demo: log instead of sending."""

    def send(self, *, to: str, text: str) -> str:
        if settings.DEBUG:
            logger.info("SMS to %s: %s", to, text)
        else:
            logger.warning("SMS to %s withheld: the console SMS backend does not send with DEBUG off", mask_phone(to))
        return "console"


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str


outbox: list[SentSms] = []


class LocmemBackend(BaseSmsBackend):
    """Tests: keep what would have been sent in ``classifieds.accounts.sms.outbox``."""

    def send(self, *, to: str, text: str) -> str:
        outbox.append(SentSms(to=to, text=text))
        return f"locmem-{len(outbox)}"


class EskizBackend(BaseSmsBackend):
    """Eskiz.uz (notify.eskiz.uz): log in with email + password for a bearer token, then send.

    The token lives about a month; it is kept in the shared cache so web and
    worker processes log in once, and a 401 means "log in again" (once).
    API: ``POST {SMS_API_URL}/auth/login`` (email, password) ->
    ``{"data": {"token": ...}}``; ``POST {SMS_API_URL}/message/sms/send``
    (mobile_phone without "+", message, from) -> ``{"id": ..., "status": "waiting"}``.
    Eskiz delivers only texts whose template was approved in its cabinet.
    """

    CACHE_KEY = "sms:eskiz:token"
    TOKEN_TTL = 25 * 24 * 3600  # Eskiz tokens last 30 days

    def __init__(self) -> None:
        self.base_url = settings.SMS_API_URL
        self.timeout = httpx.Timeout(settings.SMS_TIMEOUT)

    def send(self, *, to: str, text: str) -> str:
        token = cache.get(self.CACHE_KEY) or self._login()
        response = self._send(token, to, text)
        if response.status_code == 401:
            cache.delete(self.CACHE_KEY)
            response = self._send(self._login(), to, text)
        body = self._json(response)
        if response.status_code >= 500:
            raise SmsTemporaryError(f"Eskiz answered {response.status_code}")
        if response.status_code >= 400 or not body.get("id"):
            raise SmsRejected(f"Eskiz refused the message ({response.status_code}): {self._reason(body)}")
        return str(body["id"])

    def _send(self, token: str, to: str, text: str) -> httpx.Response:
        return self._post(
            "/message/sms/send",
            data={"mobile_phone": to.lstrip("+"), "message": text, "from": settings.SMS_SENDER},
            headers={"Authorization": f"Bearer {token}"},
        )

    def _login(self) -> str:
        response = self._post("/auth/login", data={"email": settings.SMS_LOGIN, "password": settings.SMS_PASSWORD})
        if response.status_code >= 500:
            raise SmsTemporaryError(f"Eskiz login answered {response.status_code}")
        token = (self._json(response).get("data") or {}).get("token")
        if response.status_code != 200 or not token:
            raise SmsRejected(f"Eskiz login failed ({response.status_code}); check SMS_LOGIN and SMS_PASSWORD")
        cache.set(self.CACHE_KEY, token, self.TOKEN_TTL)
        return token

    def _post(self, path: str, **kwargs) -> httpx.Response:
        try:
            return httpx.post(f"{self.base_url}{path}", timeout=self.timeout, **kwargs)
        except httpx.TimeoutException:
            # ``from None``: the chained exception would carry the request, and with it the text.
            raise SmsTemporaryError(f"Eskiz did not answer {path} within {settings.SMS_TIMEOUT}s") from None
        except httpx.TransportError as exc:
            raise SmsTemporaryError(f"Eskiz unreachable on {path}: {type(exc).__name__}") from None

    @staticmethod
    def _json(response: httpx.Response) -> dict:
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    @staticmethod
    def _reason(body: dict) -> str:
        reason = str(body.get("message") or body.get("status") or "no reason given")[:200]
        # Should the provider echo the text or the number back, keep codes and numbers out of logs.
        return re.sub(r"\d{4,}", "…", reason)


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def uses_fixed_code() -> bool:
    """Dev/demo only: with the console backend and DEBUG on, every code is ``000000``."""
    return bool(settings.DEBUG) and issubclass(import_string(settings.SMS_BACKEND), ConsoleBackend)
