"""The digest email (HTML + text, both languages, photos, links) and its unsubscribe link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from classifieds.listings.tests.factories import ListingPhotoFactory
from classifieds.savedsearches.models import SavedSearch
from classifieds.savedsearches.tokens import unsubscribe_token

from .test_alerts import run, saved_search

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = "https://bozor.test"


def send_one(catalog, capture, *, language="ru"):
    saved = saved_search(catalog, language=language)
    listing = catalog.car("chevrolet", minutes=10, title="Cobalt 2020", price="150000000")
    ListingPhotoFactory(listing=listing)
    with capture(execute=True):
        run(catalog, 2)
    assert len(mail.outbox) == 1
    return saved, listing, mail.outbox[0]


def listing_link(client, message, html: str = "") -> str:
    """Where the email's (tracked) listing link leads: the same link in text and HTML, redirecting to the page."""
    link = re.search(r"https://bozor\.test(\S*/go/[^/\s]+/)", message.body).group(1)
    if html:
        assert f'href="https://bozor.test{link}"' in html
    response = client.get(link)
    assert response.status_code == 302
    return response["Location"]


def unsubscribe_url(message) -> str:
    return re.search(r"https://bozor\.test(\S*/saved/unsubscribe/[^/\s]+/)", message.body).group(1)


class TestDigestEmail:
    def test_it_has_text_and_html_with_photos_links_and_unsubscribe(
        self, client, catalog, django_capture_on_commit_callbacks
    ):
        saved, listing, message = send_one(catalog, django_capture_on_commit_callbacks)
        assert message.to == ["buyer@example.com"]
        assert "Транспорт › Легковые › Chevrolet, Ташкент" in message.subject
        html = message.alternatives[0].content
        assert message.alternatives[0].mimetype == "text/html"
        assert listing_link(client, message, html) == listing.get_absolute_url()
        assert re.search(r'<img src="https://bozor\.test/media/[^"]+"', html)
        assert "150\u00a0000\u00a0000\u00a0сум" in message.body
        assert message.extra_headers["List-Unsubscribe"] == f"<https://bozor.test{unsubscribe_url(message)}>"
        assert "https://bozor.test/c/cars/tashkent/?attrs.make=chevrolet" in message.body

    def test_it_is_in_russian_for_a_search_saved_in_russian(self, catalog, django_capture_on_commit_callbacks):
        _, _, message = send_one(catalog, django_capture_on_commit_callbacks)
        assert "1 новое объявление" in message.subject
        assert "Отписаться от этих уведомлений" in message.body or "Отключить эти уведомления" in message.body

    def test_it_is_in_uzbek_for_a_search_saved_in_uzbek(self, client, catalog, django_capture_on_commit_callbacks):
        _, listing, message = send_one(catalog, django_capture_on_commit_callbacks, language="uz")
        assert "1 ta yangi e’lon" in message.subject
        expected = f"/uz{listing.get_absolute_url()}"
        assert listing_link(client, message) == expected
        assert "/uz/saved/unsubscribe/" in message.body
        assert "so‘m" in message.body


class TestUnsubscribe:
    def test_a_valid_link_asks_then_stops_the_alerts_without_signing_in(
        self, client, catalog, django_capture_on_commit_callbacks
    ):
        saved, _, message = send_one(catalog, django_capture_on_commit_callbacks)
        url = unsubscribe_url(message)
        page = client.get(url)
        assert page.status_code == 200 and "<form" in page.content.decode()
        saved.refresh_from_db()
        assert saved.frequency == "daily"  # a GET (link preview, scanner) changes nothing
        assert client.post(url).status_code == 200
        saved.refresh_from_db()
        assert saved.frequency == SavedSearch.Frequency.OFF

    def test_a_one_click_post_from_the_mail_provider_works_without_csrf(self, catalog):
        from django.test import Client

        saved = saved_search(catalog)
        response = Client(enforce_csrf_checks=True).post(f"/saved/unsubscribe/{unsubscribe_token(saved.pk)}/")
        assert response.status_code == 200
        saved.refresh_from_db()
        assert saved.frequency == "off"

    def test_a_tampered_token_is_refused(self, client, catalog):
        saved = saved_search(catalog)
        other = saved_search(catalog)
        token = unsubscribe_token(saved.pk)
        forged = token.replace(token.split(":")[0], unsubscribe_token(other.pk).split(":")[0])
        for bad in (token[:-2] + "xx", forged, "nonsense"):
            assert client.post(f"/saved/unsubscribe/{bad}/").status_code == 400
        assert set(SavedSearch.objects.values_list("frequency", flat=True)) == {"daily"}

    def test_an_expired_token_is_refused(self, client, catalog):
        saved = saved_search(catalog)
        with time_machine.travel(timezone.now() - timedelta(days=91)):
            token = unsubscribe_token(saved.pk)
        response = client.post(f"/saved/unsubscribe/{token}/")
        assert response.status_code == 400
        saved.refresh_from_db()
        assert saved.frequency == "daily"

    def test_the_page_is_in_uzbek_under_uz(self, client, catalog):
        saved = saved_search(catalog)
        html = client.get(f"/uz/saved/unsubscribe/{unsubscribe_token(saved.pk)}/").content.decode()
        assert "Obunani bekor qilish" in html
