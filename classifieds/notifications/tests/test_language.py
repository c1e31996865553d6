"""Notices are written in the recipient's language: the email, the SMS and the bell list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from classifieds.notifications.rendering import render_notice
from classifieds.notifications.services import notify, recipient_set_language

from .factories import user_with_email

pytestmark = [pytest.mark.django_db]

CONTEXT = {"title": "Cobalt 2020", "url": "/l/5-cobalt/", "old_price": "10 000 сум", "new_price": "9 000 сум"}


def emailed(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:5")
    assert len(mail.outbox) == 1
    return mail.outbox[0]


class TestLanguage:
    def test_the_email_is_russian_by_default(self, django_capture_on_commit_callbacks):
        message = emailed(user_with_email(), django_capture_on_commit_callbacks)
        assert message.subject == "Bozor: Цена снижена: «Cobalt 2020»"
        assert "Цена снизилась с 10 000 сум до 9 000 сум." in message.body
        assert message.extra_headers["Content-Language"] == "ru"

    def test_the_email_is_uzbek_for_an_uzbek_reader_whatever_language_is_active(
        self, django_capture_on_commit_callbacks
    ):
        user = user_with_email()
        recipient_set_language(user=user, language="uz")
        with translation.override("ru"):
            message = emailed(user, django_capture_on_commit_callbacks)
        assert message.subject == "Bozor: Narx tushdi: «Cobalt 2020»"
        assert "Narx 10 000 сум dan 9 000 сум gacha tushdi." in message.body
        assert "«Saralangan e’lonlarda narx tushishi» xatlaridan obunani bekor qilish" in message.body
        assert 'lang="uz"' in message.alternatives[0].content
        assert message.extra_headers["Content-Language"] == "uz"

    def test_the_list_shows_each_notice_in_the_language_of_the_page(self, client):
        user = user_with_email()
        client.force_login(user)
        notify(user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:5")
        assert "Цена снижена" in client.get(reverse("notifications:list")).content.decode()
        assert "Narx tushdi" in client.get("/uz/notifications/").content.decode()

    def test_a_missing_context_value_renders_empty_not_an_error(self):
        user = user_with_email()
        notice = notify(user=user, kind="favorite.price_drop", context={}, subject="listing:5")
        with translation.override("ru"):
            assert render_notice(notice).title == "Цена снижена: «»"
