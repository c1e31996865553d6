"""Digests are notices of kind ``savedsearch.digest``: on the site always, by email once, switchable per kind."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from classifieds.notifications.models import Delivery, Notification
from classifieds.notifications.rendering import render_notice
from classifieds.notifications.services import preference_set
from classifieds.savedsearches.models import Digest

from .test_alerts import run, saved_search

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = "https://bozor.test"


class TestDigestNotice:
    def test_a_digest_is_a_notice_in_the_searchs_language_emailed_once(
        self, catalog, django_capture_on_commit_callbacks
    ):
        saved = saved_search(catalog, language="uz")
        catalog.car("chevrolet", minutes=10)
        catalog.car("chevrolet", minutes=20)
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        notice = Notification.objects.get(user=saved.user, kind="savedsearch.digest")
        assert notice.language == "uz"
        assert notice.context["count"] == 2
        assert notice.deliveries.get().state == Delivery.State.SENT
        assert len(mail.outbox) == 1
        assert Digest.objects.get().sent_at is not None

    def test_opening_the_saved_search_marks_its_notice_read(self, client, catalog, django_capture_on_commit_callbacks):
        saved = saved_search(catalog)
        catalog.car("chevrolet", minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        notice = Notification.objects.get(user=saved.user)
        assert render_notice(notice).url == reverse("savedsearches:open", kwargs={"pk": saved.pk})
        client.force_login(saved.user)
        client.get(reverse("savedsearches:open", kwargs={"pk": saved.pk}))  # from the Saved page, not the bell
        notice.refresh_from_db()
        assert notice.read_at is not None

    def test_digest_emails_switched_off_for_the_kind_go_to_the_site(self, catalog, django_capture_on_commit_callbacks):
        saved = saved_search(catalog)
        preference_set(user=saved.user, kind="savedsearch.digest", channel="email", enabled=False)
        catalog.car("chevrolet", minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        assert mail.outbox == []
        assert Digest.objects.get().channel == Digest.Channel.SITE
        assert Digest.objects.unseen_count(saved.user) == 1
        assert Notification.objects.filter(user=saved.user, kind="savedsearch.digest").exists()

    def test_the_email_also_offers_to_stop_every_saved_search_email(
        self, client, catalog, django_capture_on_commit_callbacks
    ):
        saved = saved_search(catalog)
        catalog.car("chevrolet", minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        message = mail.outbox[0]
        assert "/saved/unsubscribe/" in message.extra_headers["List-Unsubscribe"]  # this search only
        path = re.search(r"https://bozor\.test(/notifications/unsubscribe/[^/\s]+/)", message.body).group(1)
        assert client.post(path).status_code == 200
        catalog.car("chevrolet", minutes=200)
        with django_capture_on_commit_callbacks(execute=True):
            made = run(catalog, 30)
        assert made == 1
        assert len(mail.outbox) == 1  # the next digest is on the site only
        assert Notification.objects.filter(user=saved.user, kind="savedsearch.digest").count() == 2
