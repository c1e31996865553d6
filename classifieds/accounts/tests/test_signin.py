"""Phone sign-in at /auth/otp/: both steps, without JS and with htmx, codes, expiry, next, sign-out."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from classifieds.accounts.models import User
from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.seo.tests.markup import parse

from .conftest import HTMX, OTP, last_code

pytestmark = pytest.mark.django_db

PHONE = "+998901112233"


def send(run_on_commit, client, phone="90 111 22 33", **data):
    return run_on_commit(client, OTP, {"action": "send", "phone": phone, **data})


def verify(run_on_commit, client, code, **data):
    return run_on_commit(client, OTP, {"action": "verify", "code": code, **data})


class TestThePhoneStep:
    def test_it_asks_for_a_phone_number_and_is_not_indexed(self, client):
        response = client.get(OTP)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="phone"' in html and 'type="tel"' in html
        assert "Получить код" in html
        page = parse(html)
        assert page.meta["robots"] == "noindex,nofollow"
        assert page.alternates["uz-UZ"].endswith("/uz/auth/otp/")

    def test_it_speaks_uzbek_under_uz(self, client):
        html = client.get(f"/uz{OTP}").content.decode()
        assert parse(html).lang == "uz"
        assert "Bozor’ga kirish" in html
        assert "Kod olish" in html

    def test_a_bad_number_is_shown_back_with_the_reason_and_nothing_is_sent(self, client, run_on_commit, sms_outbox):
        response = send(run_on_commit, client, phone="12345")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Это не похоже на номер телефона." in html
        assert 'aria-invalid="true"' in html
        assert sms_outbox == []

    def test_a_landline_is_refused(self, client, run_on_commit, sms_outbox):
        html = send(run_on_commit, client, phone="+998 71 123 45 67").content.decode()
        assert "только на мобильный" in html
        assert sms_outbox == []


class TestSigningInWithoutJavaScript:
    def test_the_first_sign_in_creates_the_account_and_verifies_the_phone(self, client, run_on_commit, sms_outbox):
        response = send(run_on_commit, client)
        assert response.status_code == 302
        assert response["Location"] == OTP
        assert [sms.to for sms in sms_outbox] == [PHONE]
        assert "Bozor" in sms_outbox[0].text

        code_step = client.get(OTP).content.decode()
        assert "+998 90 111 22 33" in code_step
        assert 'name="code"' in code_step
        assert 'autocomplete="one-time-code"' in code_step

        response = verify(run_on_commit, client, last_code(sms_outbox))
        assert response.status_code == 302
        user = User.objects.get(phone=PHONE)
        assert user.phone_verified
        assert not user.has_usable_password()
        assert client.session[SESSION_KEY] == str(user.pk)
        # A new account has no name yet: it is asked for one first.
        assert response["Location"] == "/u/profile/"
        assert Event.objects.filter(topic="account.created", subject_id=str(user.pk)).exists()

    def test_an_existing_account_signs_in_and_goes_back_where_it_was(self, client, sign_in):
        user = UserFactory(phone=PHONE, display_name="Aziza")
        response = sign_in(client, PHONE, next_url="/c/transport/?page=2")
        assert response.status_code == 302
        assert response["Location"] == "/c/transport/?page=2"
        assert client.session[SESSION_KEY] == str(user.pk)
        assert User.objects.filter(phone=PHONE).count() == 1

    def test_the_session_is_rotated_on_sign_in(self, client, run_on_commit, sms_outbox):
        client.get(OTP)
        send(run_on_commit, client)
        before = client.session.session_key
        verify(run_on_commit, client, last_code(sms_outbox))
        assert client.session.session_key != before

    def test_next_survives_both_steps(self, client, run_on_commit, sms_outbox):
        UserFactory(phone=PHONE)
        response = send(run_on_commit, client, next="/l/5-cobalt/")
        assert response["Location"] == "/auth/otp/?next=%2Fl%2F5-cobalt%2F"
        html = client.get(response["Location"]).content.decode()
        assert 'name="next" value="/l/5-cobalt/"' in html

    def test_the_header_shows_the_signed_in_user(self, client, sign_in):
        UserFactory(phone=PHONE, display_name="Aziza")
        sign_in(client, PHONE)
        html = client.get("/").content.decode()
        assert 'href="/u/profile/"' in html
        assert "Aziza" in html
        assert "Войти" not in html

    def test_a_signed_in_user_is_sent_on_from_the_sign_in_page(self, client, sign_in):
        UserFactory(phone=PHONE)
        sign_in(client, PHONE)
        assert client.get(OTP)["Location"] == "/"

    def test_another_number_can_be_chosen_after_the_code_was_sent(self, client, run_on_commit, sms_outbox):
        send(run_on_commit, client)
        response = run_on_commit(client, OTP, {"action": "change"})
        assert response.status_code == 302
        html = client.get(OTP).content.decode()
        assert 'name="phone"' in html and 'value="+998 90 111 22 33"' in html


class TestSigningInWithHtmx:
    def test_each_step_is_swapped_in_place_and_success_redirects_the_page(self, client, run_on_commit, sms_outbox):
        response = run_on_commit(client, OTP, {"action": "send", "phone": "90 222 33 44"}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="otp-step"')
        assert "<html" not in html
        assert 'name="code"' in html
        assert "HX-Request" in response["Vary"]

        response = run_on_commit(client, OTP, {"action": "verify", "code": "000001"}, **HTMX)
        assert response.status_code == 200
        assert 'name="code"' in response.content.decode()

        response = run_on_commit(client, OTP, {"action": "verify", "code": last_code(sms_outbox)}, **HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/u/profile/"
        assert client.session[SESSION_KEY] == str(User.objects.get(phone="+998902223344").pk)

    def test_a_form_error_comes_back_as_the_fragment(self, client, run_on_commit):
        response = run_on_commit(client, OTP, {"action": "send", "phone": "nope"}, **HTMX)
        assert response.status_code == 200
        assert response.content.decode().lstrip().startswith('<div id="otp-step"')


class TestWrongCodes:
    def test_a_wrong_code_says_how_many_tries_are_left(self, client, run_on_commit, sms_outbox):
        send(run_on_commit, client)
        html = verify(
            run_on_commit, client, "000001" if last_code(sms_outbox) != "000001" else "000002"
        ).content.decode()
        assert "Неверный код." in html
        assert "Осталось 4 попытки." in html
        assert SESSION_KEY not in client.session

    def test_after_five_wrong_codes_the_code_is_dead_and_a_new_one_is_needed(
        self, client, run_on_commit, sms_outbox, clock
    ):
        send(run_on_commit, client)
        good = last_code(sms_outbox)
        wrong = "111111" if good != "111111" else "222222"
        for left in (4, 3, 2, 1):
            response = verify(run_on_commit, client, wrong)
            assert response.status_code == 200
            assert f" {left} попытк" in response.content.decode()
        response = verify(run_on_commit, client, wrong)
        assert response.status_code == 429
        assert "Слишком много неверных кодов" in response.content.decode()

        response = verify(run_on_commit, client, good)  # even the right code no longer works
        assert SESSION_KEY not in client.session
        assert "истёк" in response.content.decode()

        clock.shift(61)
        send(run_on_commit, client)
        response = verify(run_on_commit, client, last_code(sms_outbox))
        assert response.status_code == 302
        assert SESSION_KEY in client.session

    def test_the_tries_are_counted_in_the_shared_cache_not_only_in_the_session(self, client, run_on_commit, sms_outbox):
        """Parallel guesses all start from the same session state; the cache count still stops them."""
        send(run_on_commit, client)
        good = last_code(sms_outbox)
        wrong = "111111" if good != "111111" else "222222"
        key = client.session.session_key
        snapshot = Session.objects.get(session_key=key).session_data
        for _ in range(5):
            # Each guess sees the session as it was before any guess (as concurrent requests would).
            Session.objects.filter(session_key=key).update(session_data=snapshot)
            verify(run_on_commit, client, wrong)
        Session.objects.filter(session_key=key).update(session_data=snapshot)
        response = verify(run_on_commit, client, good)
        assert response.status_code == 429
        assert SESSION_KEY not in client.session


class TestCodes:
    def test_production_codes_are_six_random_digits(self, client, run_on_commit, sms_outbox, clock):
        codes = []
        for _ in range(3):
            send(run_on_commit, client)
            codes.append(last_code(sms_outbox))
            clock.shift(61)
        assert all(len(code) == 6 and code.isdigit() for code in codes)
        assert len(set(codes)) > 1
        assert "000000" not in client.get(OTP).content.decode()

    def test_the_sms_speaks_the_language_of_the_page(self, client, run_on_commit, sms_outbox, clock):
        run_on_commit(client, f"/uz{OTP}", {"action": "send", "phone": "90 111 22 33"})
        assert "kirish kodi" in sms_outbox[-1].text
        clock.shift(61)
        send(run_on_commit, client)
        assert "код для входа" in sms_outbox[-1].text

    def test_a_code_expires_after_five_minutes(self, client, run_on_commit, sms_outbox, clock):
        send(run_on_commit, client)
        code = last_code(sms_outbox)
        clock.shift(5 * 60 + 1)
        response = verify(run_on_commit, client, code)
        assert response.status_code == 200
        html = response.content.decode()
        assert "истёк" in html
        assert 'name="phone"' in html
        assert SESSION_KEY not in client.session

    def test_a_code_still_works_just_before_it_expires(self, client, run_on_commit, sms_outbox, clock):
        send(run_on_commit, client)
        clock.shift(5 * 60 - 5)
        assert verify(run_on_commit, client, last_code(sms_outbox)).status_code == 302

    def test_the_code_is_never_written_to_the_logs(self, client, run_on_commit, sms_outbox, caplog):
        caplog.set_level(logging.DEBUG)
        send(run_on_commit, client)
        code = last_code(sms_outbox)
        assert caplog.records, "sending logs something"
        assert all(code not in record.getMessage() for record in caplog.records)

    def test_a_blocked_account_gets_no_code(self, client, run_on_commit, sms_outbox):
        UserFactory(phone=PHONE, is_active=False)
        response = send(run_on_commit, client)
        assert response.status_code == 200
        assert "заблокирован" in response.content.decode()
        assert sms_outbox == []


class TestTheDemoCode:
    @pytest.fixture
    def console(self, settings):
        settings.SMS_BACKEND = "classifieds.accounts.sms.ConsoleBackend"
        settings.DEBUG = True

    def test_with_the_console_backend_the_code_is_000000_and_the_page_says_so(self, client, run_on_commit, console):
        assert "000000" in client.get(OTP).content.decode()
        send(run_on_commit, client)
        response = verify(run_on_commit, client, "000000")
        assert response.status_code == 302
        assert SESSION_KEY in client.session

    def test_with_debug_off_the_console_backend_neither_fixes_the_code_nor_logs_it(
        self, client, run_on_commit, settings, caplog
    ):
        settings.SMS_BACKEND = "classifieds.accounts.sms.ConsoleBackend"
        settings.DEBUG = False
        caplog.set_level(logging.DEBUG)
        assert "000000" not in client.get(OTP).content.decode()
        send(run_on_commit, client)
        assert verify(run_on_commit, client, "000000").status_code == 200
        assert SESSION_KEY not in client.session
        assert any("withheld" in record.getMessage() for record in caplog.records)
        assert not any("код" in record.getMessage() or "code is" in record.getMessage() for record in caplog.records)


class TestNextRedirectSafety:
    @pytest.mark.parametrize(
        "next_url", ["https://evil.example/steal", "//evil.example/", "http://evil.example", "javascript:alert(1)"]
    )
    def test_an_off_site_next_is_ignored(self, client, sign_in, next_url):
        UserFactory(phone=PHONE, display_name="Aziza")
        response = sign_in(client, PHONE, next_url=next_url)
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_an_off_site_next_is_not_even_carried_in_the_form(self, client):
        html = client.get(OTP, {"next": "https://evil.example/"}).content.decode()
        assert "evil.example" not in html

    def test_a_local_next_is_followed(self, client, sign_in):
        UserFactory(phone=PHONE, display_name="Aziza")
        assert sign_in(client, PHONE, next_url="/uz/c/yengil/")["Location"] == "/uz/c/yengil/"


class TestSigningOut:
    def test_sign_out_is_a_post_and_ends_the_session(self, client, sign_in):
        UserFactory(phone=PHONE, display_name="Aziza")
        sign_in(client, PHONE)
        page = client.get("/auth/logout/")
        assert page.status_code == 200
        assert SESSION_KEY in client.session  # a GET only asks
        response = client.post("/auth/logout/")
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert SESSION_KEY not in client.session
        assert "Вы вышли" in client.get("/").content.decode()
        assert "Войти" in client.get("/").content.decode()

    def test_the_sign_in_link_in_the_header_comes_back_to_the_page(self, client):
        html = client.get("/uz/").content.decode()
        assert 'href="/uz/auth/otp/?next=/uz/"' in html
        assert "Kirish" in html


class TestBlockedWhileSigningIn:
    def test_an_account_blocked_after_the_code_was_sent_is_not_signed_in(self, client, run_on_commit, sms_outbox):
        user = UserFactory(phone=PHONE)
        send(run_on_commit, client)
        User.objects.filter(pk=user.pk).update(is_active=False)
        response = verify(run_on_commit, client, last_code(sms_outbox))
        assert response.status_code == 302
        assert response["Location"] == "/auth/inactive/"
        assert SESSION_KEY not in client.session
        page = client.get(response["Location"])
        assert "Аккаунт заблокирован" in page.content.decode()
        assert parse(page.content).meta["robots"] == "noindex,nofollow"
