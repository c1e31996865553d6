"""Abuse limits of the phone sign-in (hit, then recovered) and of the admin login."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from classifieds.accounts import limits
from classifieds.accounts.tests.factories import UserFactory

from .conftest import HTMX, OTP, last_code

# Each test runs on the database cache and on Redis (root conftest.py: cache_backend).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]


def send(run_on_commit, client, phone="+998901112233", ip="203.0.113.7", **extra):
    return run_on_commit(client, OTP, {"action": "send", "phone": phone}, REMOTE_ADDR=ip, **extra)


def phone_number(n: int) -> str:
    return f"+99890{n:07d}"


class TestCooldown:
    def test_a_second_code_within_a_minute_is_refused_with_the_time_to_wait(
        self, client, run_on_commit, sms_outbox, clock
    ):
        assert send(run_on_commit, client).status_code == 302
        response = run_on_commit(client, OTP, {"action": "resend"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 429
        html = response.content.decode()
        assert "Новый можно запросить через 60 секунд" in html
        assert 'name="code"' in html  # the code step stays, the first code still works
        assert len(sms_outbox) == 1

        clock.shift(30)
        response = send(run_on_commit, Client(), ip="198.51.100.1")  # another browser, same number
        assert response.status_code == 429
        assert "через 30 секунд" in response.content.decode()

        clock.shift(30)
        assert run_on_commit(client, OTP, {"action": "resend"}, REMOTE_ADDR="203.0.113.7").status_code == 302
        assert len(sms_outbox) == 2

    def test_the_code_step_shows_when_resending_becomes_possible(self, client, run_on_commit, clock):
        send(run_on_commit, client)
        clock.shift(15)
        html = client.get(OTP).content.decode()
        assert 'data-countdown="45"' in html
        assert "<span data-countdown-seconds>45</span>" in html
        clock.shift(45)
        html = client.get(OTP).content.decode()
        assert "data-countdown=" not in html

    def test_the_resent_code_replaces_the_first_one(self, client, run_on_commit, sms_outbox, clock):
        send(run_on_commit, client)
        first = last_code(sms_outbox)
        clock.shift(60)
        run_on_commit(client, OTP, {"action": "resend"})
        second = last_code(sms_outbox)
        if first != second:
            run_on_commit(client, OTP, {"action": "verify", "code": first})
            assert SESSION_KEY not in client.session
        run_on_commit(client, OTP, {"action": "verify", "code": second})
        assert SESSION_KEY in client.session


class TestPerPhone:
    def test_five_codes_an_hour_then_429_until_the_next_hour(self, client, run_on_commit, sms_outbox, clock):
        for _ in range(5):
            assert send(run_on_commit, client).status_code == 302
            clock.shift(61)
        # 10:05:35 now; the hour's window ends at 11:00:00.
        response = send(run_on_commit, client)
        assert response.status_code == 429
        assert "Слишком много кодов. Попробуйте через 55 минут." in response.content.decode()
        assert len(sms_outbox) == 5

        clock.shift(55 * 60)
        assert send(run_on_commit, client).status_code == 302
        assert len(sms_outbox) == 6

    def test_ten_codes_a_day_then_429_until_tomorrow(self, client, run_on_commit, sms_outbox, clock):
        for _hour in range(2):
            for _ in range(5):
                assert send(run_on_commit, client).status_code == 302
                clock.shift(61)
            clock.shift(3600)
        response = send(run_on_commit, client)
        assert response.status_code == 429
        assert len(sms_outbox) == 10

        clock.shift(24 * 3600)
        assert send(run_on_commit, client).status_code == 302

    def test_a_refused_send_does_not_count(self, client, run_on_commit, sms_outbox, clock):
        """A request refused by the IP limit must not eat the number's hourly quota."""
        for n in range(20):
            send(run_on_commit, Client(), phone=phone_number(n), ip="198.51.100.9")
        for _ in range(3):
            assert send(run_on_commit, client, ip="198.51.100.9").status_code == 429
            clock.shift(61)
        for _ in range(5):
            assert send(run_on_commit, client, ip="203.0.113.50").status_code == 302
            clock.shift(61)


class TestPerIp:
    def test_twenty_codes_an_hour_from_one_address_then_429(self, run_on_commit, sms_outbox, clock):
        for n in range(20):
            assert send(run_on_commit, Client(), phone=phone_number(n)).status_code == 302
        response = send(run_on_commit, Client(), phone=phone_number(99))
        assert response.status_code == 429
        assert "Слишком много кодов" in response.content.decode()
        assert len(sms_outbox) == 20

        # Another address is not affected; this one recovers in the next hour.
        assert send(run_on_commit, Client(), phone=phone_number(99), ip="198.51.100.2").status_code == 302
        clock.shift(3600)
        assert send(run_on_commit, Client(), phone=phone_number(98)).status_code == 302

    def test_the_address_comes_from_the_trusted_proxy(self, run_on_commit, settings, clock):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        for n in range(20):
            send(run_on_commit, Client(), phone=phone_number(n), ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
        blocked = send(
            run_on_commit, Client(), phone=phone_number(50), ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8"
        )
        other = send(run_on_commit, Client(), phone=phone_number(51), ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert blocked.status_code == 429
        assert other.status_code == 302


class TestLimitResponses:
    def test_htmx_gets_the_step_with_the_message_and_429(self, client, run_on_commit, clock):
        send(run_on_commit, client)
        response = run_on_commit(client, OTP, {"action": "resend"}, **HTMX)
        assert response.status_code == 429
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="otp-step"')
        assert "через 60 секунд" in html

    def test_uzbek_users_read_the_limit_in_uzbek(self, client, run_on_commit, clock):
        run_on_commit(client, f"/uz{OTP}", {"action": "send", "phone": "+998901112233"})
        response = run_on_commit(client, f"/uz{OTP}", {"action": "resend"})
        assert response.status_code == 429
        assert "60 soniyadan" in response.content.decode()


class TestSlots:
    """The counting itself: all or nothing, released on refusal, per window."""

    def test_consume_takes_every_rate_or_none(self, clock):
        wide = limits.Rate("test-wide", 3, 3600)
        narrow = limits.Rate("test-narrow", 1, 3600)
        limits.consume([(wide, "a"), (narrow, "a")])
        with pytest.raises(limits.Limited) as error:
            limits.consume([(wide, "a"), (narrow, "a")])
        assert error.value.scope == "test-narrow"
        assert error.value.retry_after() == 3600 - 30
        # The refused attempt gave its "wide" use back: two are left, not one.
        limits.consume([(wide, "a")])
        limits.consume([(wide, "a")])
        with pytest.raises(limits.Limited):
            limits.consume([(wide, "a")])

    def test_a_new_window_starts_empty(self, clock):
        rate = limits.Rate("test-window", 1, 60)
        limits.consume([(rate, "b")])
        with pytest.raises(limits.Limited):
            limits.consume([(rate, "b")])
        clock.shift(30)
        limits.consume([(rate, "b")])

    def test_keys_do_not_hold_the_phone_number(self, clock):
        keys = limits.code_send_consume(phone="+998901112233", ip="203.0.113.7")
        assert keys and all("998901112233" not in key and "203.0.113.7" not in key for key in keys)
        assert all(cache.get(key) is not None for key in keys)


class TestAdminLogin:
    def test_password_attempts_per_username_are_limited_and_recover(self, clock):
        UserFactory(username="boss", is_staff=True)
        client = Client()
        for _ in range(5):
            response = client.post("/admin/login/", {"username": "boss", "password": "wrong"})
            assert response.status_code == 200
        response = client.post("/admin/login/", {"username": "boss", "password": "wrong"})
        assert response.status_code == 429
        assert "Слишком много попыток" in response.content.decode()
        clock.shift(15 * 60)
        assert client.post("/admin/login/", {"username": "boss", "password": "wrong"}).status_code == 200

    def test_staff_can_still_sign_in_with_a_password(self, clock):
        boss = UserFactory(username="boss", is_staff=True)
        boss.set_password("a-long-enough-secret")
        boss.save()
        client = Client()
        response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "a-long-enough-secret"})
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200

    def test_the_admin_login_offers_the_phone_sign_in(self, client):
        html = client.get("/admin/login/?next=/admin/").content.decode()
        assert 'href="/auth/otp/?next=/admin/"' in html
