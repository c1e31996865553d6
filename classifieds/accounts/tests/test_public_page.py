"""A seller's public page /u/<id>/: name, member since, active listings, crawlable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from classifieds.accounts.services import user_soft_delete
from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.seo.tests.markup import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return UserFactory(display_name="Aziza", about="Детские вещи.", date_joined=datetime(2024, 3, 5, tzinfo=UTC))


class TestPublicPage:
    def test_it_shows_the_name_member_since_and_only_active_listings(self, client, seller):
        active = ListingFactory(owner=seller, title="Коляска Anex")
        ListingFactory(owner=seller, title="Проданный велосипед", status=Listing.Status.SOLD)
        ListingFactory(owner=seller, title="Черновик", status=Listing.Status.DRAFT)
        ListingFactory(title="Чужое объявление")
        response = client.get(f"/u/{seller.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Aziza" in html
        assert "На Bozor с марта 2024" in html
        assert "Детские вещи." in html
        assert active.get_absolute_url() in html
        assert "Проданный велосипед" not in html and "Черновик" not in html and "Чужое объявление" not in html
        assert seller.phone not in html

    def test_it_is_crawlable_with_both_languages(self, client, seller):
        ListingFactory(owner=seller)
        page = parse(client.get(f"/u/{seller.pk}/").content)
        assert page.meta["robots"] == "index,follow"
        assert page.canonical[0].endswith(f"/u/{seller.pk}/")
        assert page.alternates["uz-UZ"].endswith(f"/uz/u/{seller.pk}/")

    def test_a_seller_without_listings_is_not_indexed(self, client, seller):
        page = parse(client.get(f"/u/{seller.pk}/").content)
        assert page.meta["robots"] == "noindex,follow"

    def test_it_speaks_uzbek_under_uz(self, client, seller):
        html = client.get(f"/uz/u/{seller.pk}/").content.decode()
        assert parse(html).lang == "uz"
        assert "Bozor’da Mart 2024" in html

    @override_settings(LISTINGS_PER_PAGE=2)
    def test_it_paginates_and_htmx_gets_the_results_only(self, client, seller):
        for i in range(3):
            ListingFactory(owner=seller, title=f"Вещь {i}")
        first = parse(client.get(f"/u/{seller.pk}/").content)
        assert first.next.endswith(f"/u/{seller.pk}/?page=2")
        response = client.get(f"/u/{seller.pk}/?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="results"')
        assert "<html" not in html
        assert client.get(f"/u/{seller.pk}/?page=9").status_code == 404

    def test_unknown_blocked_and_deleted_users_are_404(self, client, seller):
        assert client.get("/u/987654/").status_code == 404
        blocked = UserFactory(is_active=False)
        assert client.get(f"/u/{blocked.pk}/").status_code == 404
        user_soft_delete(user=seller)
        assert client.get(f"/u/{seller.pk}/").status_code == 404


class TestAnAccountBeforeItsFirstSignIn:
    """Requesting a code creates the account; it is not public until the code is entered."""

    def test_is_404_after_a_code_was_only_requested_and_public_once_the_code_is_entered(
        self, client, run_on_commit, sms_outbox
    ):
        from django.test import Client

        from classifieds.accounts.models import User

        from .conftest import OTP, last_code

        phone_owner = Client()
        run_on_commit(phone_owner, OTP, {"action": "send", "phone": "+998901112299"})
        user = User.objects.get(phone="+998901112299")
        assert client.get(f"/u/{user.pk}/").status_code == 404
        assert client.get(f"/uz/u/{user.pk}/").status_code == 404
        assert not User.objects.public().filter(pk=user.pk).exists()

        response = run_on_commit(phone_owner, OTP, {"action": "verify", "code": last_code(sms_outbox)})
        assert response.status_code == 302
        assert client.get(f"/u/{user.pk}/").status_code == 200

    def test_a_verified_seller_who_never_signed_in_here_is_public(self, client):
        # Accounts brought in with a verified number (demo sellers, imports) have no last_login.
        seller = UserFactory(phone_verified=True, last_login=None)
        assert client.get(f"/u/{seller.pk}/").status_code == 200

    def test_an_account_that_signed_in_is_public_even_with_its_number_unverified(self, client):
        from django.utils import timezone

        staff_made = UserFactory(phone=None, phone_verified=False, last_login=timezone.now())
        assert client.get(f"/u/{staff_made.pk}/").status_code == 200
