"""Abuse limits of the phone sign-in and the admin login, counted in the shared cache.

Why our own and not allauth's limiter: ours must tell the user *when* to retry
(the 429 says so), and allauth's keeps a timestamp list it does not expose.

Fixed windows (an hour is 10:00–11:00 UTC, a day starts at 00:00 UTC). Each
use takes one numbered slot with ``cache.add``, which is atomic on Redis
(``SET NX``) and on the database cache (an insert on a primary key); the
database cache's ``incr`` is a read-modify-write, so counting with it would let
concurrent requests slip through. Once the last slot of a window is taken a
single ``get`` answers "full", so a flood costs one cache read per request.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from classifieds.core.cache import CacheUnavailable

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Rate:
    action: str
    amount: int
    period: int  # seconds


class Limited(Exception):
    """A limit is reached; ``retry_at`` is the Unix time from which it frees up."""

    def __init__(self, *, scope: str, retry_at: float) -> None:
        super().__init__(scope)
        self.scope = scope
        self.retry_at = retry_at

    def retry_after(self, now: float | None = None) -> int:
        """Whole seconds to wait (at least 1)."""
        return max(1, math.ceil(self.retry_at - (time.time() if now is None else now)))


UNAVAILABLE = "unavailable"  # the scope of a refusal because the cache could not count (Redis down)
UNAVAILABLE_RETRY = 60  # seconds we ask the user to wait then


def _fail_closed[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """A limit that cannot be counted refuses (``Limited`` with scope ``UNAVAILABLE``) instead of passing:
    an outage of the shared cache must not open the door to SMS pumping or phone harvesting."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CacheUnavailable as exc:
            raise Limited(scope=UNAVAILABLE, retry_at=time.time() + UNAVAILABLE_RETRY) from exc

    return wrapper


def _digest(value: str) -> str:
    # Keys never hold a phone number or an IP in clear (Redis dumps, cache table).
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


def _take_slot(base: str, amount: int, timeout: int) -> tuple[str, int] | None:
    """Take the first free of ``amount`` slots under ``base``: (slot key, index), or None when all are taken."""
    if amount <= 0 or cache.get(f"{base}:{amount - 1}") is not None:
        return None
    for index in range(amount):
        key = f"{base}:{index}"
        if cache.add(key, 1, timeout):
            return key, index
    return None


def _window(rate: Rate, subject: str, now: float) -> tuple[str, float]:
    number = int(now // rate.period)
    return f"limit:{rate.action}:{rate.period}:{_digest(subject)}:{number}", (number + 1) * rate.period


@_fail_closed
def consume(checks: list[tuple[Rate, str]], *, now: float | None = None) -> list[str]:
    """Take one use of every (rate, subject) or none of them; raise ``Limited`` naming the first one full."""
    now = time.time() if now is None else now
    taken: list[str] = []
    for rate, subject in checks:
        base, window_end = _window(rate, subject, now)
        slot = _take_slot(base, rate.amount, timeout=math.ceil(window_end - now) + 5)
        if slot is None:
            release(taken)
            raise Limited(scope=rate.action, retry_at=window_end)
        taken.append(slot[0])
    return taken


def release(keys: list[str]) -> None:
    """Give back uses taken by ``consume`` (the action did not happen after all)."""
    if keys:
        cache.delete_many(keys)


def client_ip(request: HttpRequest) -> str:
    """The client's address as allauth sees it (honours ALLAUTH_TRUSTED_PROXY_COUNT)."""
    from allauth.account.adapter import get_adapter

    return get_adapter(request).get_client_ip(request)


# --- Sign-in codes -------------------------------------------------------------------


def _otp(name: str) -> int:
    return int(settings.OTP_LIMITS[name])


@_fail_closed
def code_send_consume(*, phone: str, ip: str, now: float | None = None) -> list[str]:
    """Count one code sent to ``phone`` from ``ip``, or raise ``Limited``.

    Checked in this order: the cool-down between two sends to one number, then
    per IP an hour, per number an hour, per number a day.
    """
    now = time.time() if now is None else now
    cooldown = _otp("cooldown_seconds")
    cooldown_key = f"limit:otp-cooldown:{_digest(phone)}"
    if not cache.add(cooldown_key, now, cooldown):
        started = cache.get(cooldown_key)
        if started is not None and now < started + cooldown:
            raise Limited(scope="cooldown", retry_at=started + cooldown)
        # Over by our clock but not yet purged by the cache (same instant, clock skew):
        # drop it and add again, so of two racing requests still only one gets through.
        cache.delete(cooldown_key)
        if not cache.add(cooldown_key, now, cooldown):
            raise Limited(scope="cooldown", retry_at=now + cooldown)
    try:
        taken = consume(
            [
                (Rate("otp-ip-hour", _otp("per_ip_hour"), HOUR), ip),
                (Rate("otp-phone-hour", _otp("per_phone_hour"), HOUR), phone),
                (Rate("otp-phone-day", _otp("per_phone_day"), DAY), phone),
            ],
            now=now,
        )
    except Limited:
        cache.delete(cooldown_key)
        raise
    return [cooldown_key, *taken]


def code_resend_available_at(*, phone: str, sent_at: float) -> float:
    """When the next code to ``phone`` may be requested (the cool-down after ``sent_at``)."""
    return sent_at + _otp("cooldown_seconds")


@_fail_closed
def code_attempt_consume(*, issue: str) -> int:
    """Count one try at the code issued as ``issue``; return the tries left after it.

    Raises ``Limited`` when every try was used: the code is dead. The count
    lives as long as the code, so parallel guesses in one session cannot go past it.
    """
    amount = _otp("wrong_codes")
    slot = _take_slot(f"limit:otp-attempt:{issue}", amount, timeout=settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT + 60)
    if slot is None:
        raise Limited(scope="attempts", retry_at=time.time())
    return amount - slot[1] - 1


# --- Admin login ---------------------------------------------------------------------


@_fail_closed
def admin_login_consume(*, ip: str, username: str, now: float | None = None) -> None:
    """Count one admin password attempt, or raise ``Limited``."""
    quarter = 15 * 60
    consume(
        [
            (Rate("admin-login-ip", _otp("admin_login_per_ip_15min"), quarter), ip),
            (Rate("admin-login-user", _otp("admin_login_per_username_15min"), quarter), username.strip().lower()),
        ],
        now=now,
    )


# --- Email change ---------------------------------------------------------------------


@_fail_closed
def email_change_consume(*, user_id: int, ip: str, now: float | None = None) -> list[str]:
    """Count one confirmation mail to a new address asked by ``user_id`` from ``ip``, or raise ``Limited``.

    The mail goes to an address nobody has confirmed: without a limit the
    profile form would send our mail to anyone, as often as asked.
    """
    rates = settings.EMAIL_CHANGE_LIMITS
    return consume(
        [
            (Rate("email-change-user-hour", int(rates["per_user_hour"]), HOUR), str(user_id)),
            (Rate("email-change-user-day", int(rates["per_user_day"]), DAY), str(user_id)),
            (Rate("email-change-ip-hour", int(rates["per_ip_hour"]), HOUR), ip),
        ],
        now=now,
    )


# --- Seller phone reveals ----------------------------------------------------------------


@_fail_closed
def phone_reveal_consume(*, visitor: str, ip: str, signed_in: bool, now: float | None = None) -> list[str]:
    """Count one seller phone shown to ``visitor`` (a user id or a session key) from ``ip``, or raise ``Limited``.

    Anonymous visitors get less than signed-in ones (``PHONE_REVEAL_LIMITS``): a
    harvester can drop its session cookie at will, so for them the per-IP limit
    is the real bound; an account costs a verified phone.
    """
    kind = "signed_in" if signed_in else "anonymous"
    rates = settings.PHONE_REVEAL_LIMITS[kind]
    return consume(
        [
            (Rate(f"reveal-{kind}-visitor-hour", int(rates["per_visitor_hour"]), HOUR), visitor),
            (Rate(f"reveal-{kind}-visitor-day", int(rates["per_visitor_day"]), DAY), visitor),
            (Rate(f"reveal-{kind}-ip-hour", int(rates["per_ip_hour"]), HOUR), ip),
        ],
        now=now,
    )


def wait_text(seconds: int) -> str:
    """How long to wait, in words of the active language ("45 seconds", "12 minutes")."""
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
