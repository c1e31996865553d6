"""Seller phones cannot be harvested: reveals are limited per visitor and per IP.

Before, ``POST /l/<pk>/phone/`` had no limit (55 numbers in 6 s). Over the limit
the answer is 429 with a message (the phone fragment for htmx, a page without
JS) and nothing is counted.
"""

from __future__ import annotations

import pytest
from django.test import Client

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing

from .factories import ListingFactory

# Each test runs on the database cache and on Redis (root conftest.py: cache_backend).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "phone"}
LIMITS = {
    "anonymous": {"per_visitor_hour": 3, "per_visitor_day": 5, "per_ip_hour": 6},
    "signed_in": {"per_visitor_hour": 5, "per_visitor_day": 8, "per_ip_hour": 10},
}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.PHONE_REVEAL_LIMITS = LIMITS


@pytest.fixture
def listings():
    return [ListingFactory(contact_phone=f"+99890123{n:04d}") for n in range(12)]


def reveal(client: Client, listing: Listing, *, htmx: bool = False, ip: str = "203.0.113.7", lang: str = ""):
    extra = {**HTMX} if htmx else {}
    return client.post(f"{lang}/l/{listing.pk}/phone/", REMOTE_ADDR=ip, **extra)


def reveals_counted(listings: list[Listing]) -> int:
    return sum(Listing.objects.filter(pk__in=[x.pk for x in listings]).values_list("phone_reveals_count", flat=True))


class TestAnAnonymousVisitor:
    def test_sees_a_few_numbers_then_gets_429_with_the_fragment_and_nothing_is_counted(self, client, listings):
        for listing in listings[:3]:
            assert reveal(client, listing, htmx=True).status_code == 200
        response = reveal(client, listings[3], htmx=True)
        assert response.status_code == 429
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="phone"')
        assert "<html" not in html
        assert "Вы посмотрели много номеров. Следующие можно будет увидеть через" in html
        assert "+998 90 123 00 03" not in html and "tel:" not in html
        assert reveals_counted(listings) == 3
        listings[3].refresh_from_db()
        assert listings[3].phone_reveals_count == 0

    def test_without_js_the_refused_post_is_a_429_page_with_the_message_and_a_way_back(self, client, listings):
        for listing in listings[:3]:
            assert reveal(client, listing).status_code == 302
        response = reveal(client, listings[3])
        assert response.status_code == 429
        html = response.content.decode()
        assert "<html" in html
        assert "Вы посмотрели много номеров" in html
        assert f'href="{listings[3].get_absolute_url()}#phone"' in html
        page = client.get(listings[3].get_absolute_url()).content.decode()
        assert "tel:+998901230003" not in page  # the refused number is not remembered as shown
        assert reveals_counted(listings) == 3

    def test_numbers_already_shown_can_be_shown_again_past_the_limit(self, client, listings):
        for listing in listings[:3]:
            reveal(client, listing)
        response = reveal(client, listings[0], htmx=True)
        assert response.status_code == 200
        assert "tel:+998901230000" in response.content.decode()
        assert reveals_counted(listings) == 3

    def test_dropping_the_session_cookie_does_not_escape_the_per_ip_limit(self, listings):
        shown = 0
        for listing in listings[:8]:
            if reveal(Client(), listing).status_code == 302:  # a fresh session every time
                shown += 1
        assert shown == 6
        assert reveals_counted(listings) == 6

    def test_another_ip_with_a_fresh_session_is_not_held_back(self, client, listings):
        for listing in listings[:3]:
            reveal(client, listing)
        assert reveal(client, listings[3]).status_code == 429
        assert reveal(Client(), listings[3], ip="198.51.100.9").status_code == 302

    def test_the_message_speaks_uzbek_under_uz(self, client, listings):
        for listing in listings[:3]:
            reveal(client, listing, lang="/uz")
        response = reveal(client, listings[3], htmx=True, lang="/uz")
        assert response.status_code == 429
        assert "Siz ko‘p raqamlarni ko‘rdingiz" in response.content.decode()


class TestASignedInVisitor:
    def test_may_see_more_numbers_than_an_anonymous_one(self, client, listings):
        client.force_login(UserFactory())
        statuses = [reveal(client, listing, htmx=True).status_code for listing in listings[:6]]
        assert statuses == [200] * 5 + [429]
        assert reveals_counted(listings) == 5

    def test_is_counted_per_account_across_sessions(self, listings):
        user = UserFactory()
        first, second = Client(), Client()
        first.force_login(user)
        second.force_login(user)
        for listing in listings[:5]:
            assert reveal(first, listing).status_code == 302
        assert reveal(second, listings[5], ip="198.51.100.9").status_code == 429
