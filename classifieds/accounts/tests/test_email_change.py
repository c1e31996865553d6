"""Changing the profile email is not an open relay.

The confirmation goes to an address nobody has confirmed, so: limited per user
and per IP, greeting with our name (never the request host), and nothing a
user typed (their display name) in the mail.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from classifieds.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SPAM_NAME = "Cheap pills at pills.example"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = "https://bozor.uz"
    settings.EMAIL_CHANGE_LIMITS = {"per_user_hour": 3, "per_user_day": 6, "per_ip_hour": 5}


@pytest.fixture
def member(client):
    user = UserFactory(phone="+998901112233", display_name=SPAM_NAME)
    client.force_login(user)
    return user


def change_email(client: Client, email: str, *, ip: str = "203.0.113.7", lang: str = "", **fields):
    data = {"display_name": SPAM_NAME, "about": "", "email": email, **fields}
    return client.post(f"{lang}/u/profile/", data, REMOTE_ADDR=ip)


class TestTheConfirmationMail:
    def test_greets_with_the_site_name_and_carries_no_user_text_nor_the_request_host(self, client, member):
        response = change_email(client, "victim@example.com")
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["victim@example.com"]
        text = f"{message.subject}\n{message.body}"
        assert "Bozor" in message.body.splitlines()[0]
        assert SPAM_NAME not in text and "pills" not in text
        assert "testserver" not in text and "127.0.0.1" not in text
        assert "https://bozor.uz/auth/email/confirm/" in message.body
        for alternative, _mimetype in getattr(message, "alternatives", []):
            assert SPAM_NAME not in alternative and "testserver" not in alternative

    def test_is_in_uzbek_when_asked_from_the_uzbek_page(self, client, member):
        change_email(client, "victim@example.com", lang="/uz")
        body = mail.outbox[0].body
        assert "Tasdiqlash uchun havolani oching" in body
        assert "https://bozor.uz/uz/auth/email/confirm/" in body


class TestTheLimit:
    def test_the_fourth_new_address_in_an_hour_is_a_form_error_and_nothing_is_sent_or_saved(self, client, member):
        for n in range(3):
            assert change_email(client, f"target{n}@example.com").status_code == 302
        response = change_email(client, "target3@example.com", about="Новое описание")
        assert response.status_code == 429
        html = response.content.decode()
        assert "Слишком много смен email. Попробуйте через" in html
        assert "target3@example.com" in html  # what was typed stays in the form
        assert len(mail.outbox) == 3
        assert not EmailAddress.objects.filter(email="target3@example.com").exists()
        member.refresh_from_db()
        assert member.about == ""

    def test_saving_the_profile_again_with_the_same_pending_address_costs_nothing(self, client, member):
        for _ in range(5):
            assert change_email(client, "mine@example.com").status_code == 302
        assert len(mail.outbox) == 1

    def test_other_accounts_from_one_ip_share_the_ip_limit(self):
        statuses = []
        for n in range(3):
            browser = Client()
            browser.force_login(UserFactory())
            statuses += [change_email(browser, f"u{n}-{m}@example.com").status_code for m in range(2)]
        assert statuses == [302] * 5 + [429]
        assert len(mail.outbox) == 5

    def test_the_refusal_speaks_uzbek_under_uz(self, client, member):
        for n in range(3):
            change_email(client, f"target{n}@example.com", lang="/uz")
        html = change_email(client, "target3@example.com", lang="/uz").content.decode()
        assert "Email juda ko‘p o‘zgartirildi." in html
