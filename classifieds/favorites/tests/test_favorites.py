"""Favorites: the heart button with and without JS, anonymous visitors, merging on sign-in, /saved/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.favorites.models import Favorite
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "fav-1"}

pytestmark = [pytest.mark.django_db]


def toggle(client, listing, **extra):
    return client.post(f"/saved/favorite/{listing.pk}/", {"next": "/search/?q=cobalt"}, **extra)


def favorites_count(listing) -> int:
    return Listing.objects.values_list("favorites_count", flat=True).get(pk=listing.pk)


class TestToggleWithoutJavascript:
    def test_it_adds_a_favorite_and_returns_to_the_same_place(self, client):
        user, listing = UserFactory(), ListingFactory()
        client.force_login(user)
        response = toggle(client, listing)
        assert response.status_code == 302
        assert response["Location"] == "/search/?q=cobalt"
        assert Favorite.objects.filter(user=user, listing=listing).exists()
        assert favorites_count(listing) == 1

    def test_a_second_click_removes_it(self, client):
        user, listing = UserFactory(), ListingFactory()
        client.force_login(user)
        toggle(client, listing)
        toggle(client, listing)
        assert not Favorite.objects.filter(user=user).exists()
        assert favorites_count(listing) == 0

    def test_it_ignores_a_next_to_another_site(self, client):
        listing = ListingFactory()
        response = client.post(f"/saved/favorite/{listing.pk}/", {"next": "https://evil.example/"})
        assert response["Location"] == f"{listing.get_absolute_url()}#fav-{listing.pk}"

    def test_it_rejects_get(self, client):
        assert client.get(f"/saved/favorite/{ListingFactory().pk}/").status_code == 405

    def test_a_deleted_listing_is_404(self, client):
        listing = ListingFactory(status=Listing.Status.DELETED)
        assert toggle(client, listing).status_code == 404


class TestToggleWithHtmx:
    def test_it_returns_only_the_button_pressed(self, client):
        client.force_login(UserFactory())
        listing = ListingFactory()
        response = toggle(client, listing, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith(f'<form id="fav-{listing.pk}"')
        assert 'aria-pressed="true"' in html
        assert 'value="/search/?q=cobalt#fav-' in html  # the no-JS fallback still returns to the page

    def test_it_returns_the_button_released_after_removal(self, client):
        client.force_login(UserFactory())
        listing = ListingFactory()
        toggle(client, listing, **HTMX)
        assert 'aria-pressed="false"' in toggle(client, listing, **HTMX).content.decode()


class TestButtons:
    def test_every_card_and_the_detail_page_have_a_heart(self, client):
        listing = ListingFactory()
        home = client.get("/").content.decode()
        assert f'action="/saved/favorite/{listing.pk}/"' in home
        detail = client.get(listing.get_absolute_url()).content.decode()
        assert f'id="fav-{listing.pk}"' in detail

    def test_a_favorite_is_shown_pressed_on_the_cards(self, client):
        user, listing = UserFactory(), ListingFactory()
        client.force_login(user)
        toggle(client, listing)
        html = client.get("/").content.decode()
        form = html[html.index(f'id="fav-{listing.pk}"') :]
        assert 'aria-pressed="true"' in form[: form.index("</form>")]


class TestAnonymousVisitors:
    def test_they_keep_favorites_in_their_session(self, client):
        listing = ListingFactory(title="Damas 2015")
        toggle(client, listing)
        assert not Favorite.objects.exists()
        assert "Damas 2015" in client.get("/saved/").content.decode()

    def test_their_favorites_merge_into_the_account_on_sign_in_without_duplicates(self, client):
        user = UserFactory()
        both, only_session, only_account = ListingFactory(), ListingFactory(), ListingFactory()
        Favorite.objects.create(user=user, listing=both)
        Favorite.objects.create(user=user, listing=only_account)
        Listing.objects.filter(pk__in=[both.pk, only_account.pk]).update(favorites_count=1)
        toggle(client, both)
        toggle(client, only_session)
        client.force_login(user)  # runs Django's login(), as allauth's code sign-in does
        assert sorted(Favorite.objects.filter(user=user).values_list("listing_id", flat=True)) == sorted(
            [both.pk, only_session.pk, only_account.pk]
        )
        assert [favorites_count(x) for x in (both, only_session, only_account)] == [1, 1, 1]
        assert "favorites" not in client.session

    def test_signing_in_with_an_empty_session_changes_nothing(self, client):
        user = UserFactory()
        client.force_login(user)
        assert not Favorite.objects.filter(user=user).exists()


class TestSavedPage:
    def test_it_lists_favorites_newest_first_with_their_state_and_price_change(self, client):
        user = UserFactory()
        old = ListingFactory(title="Old Nexia", price=Decimal("100000000"))
        new = ListingFactory(title="New Spark", price=Decimal("90000000"))
        sold = ListingFactory(title="Sold Malibu", status=Listing.Status.SOLD)
        expired = ListingFactory(title="Expired Lacetti", expires_at=timezone.now() - timedelta(days=1))
        for minutes, listing in [(40, old), (30, sold), (20, expired), (10, new)]:
            Favorite.objects.create(
                user=user,
                listing=listing,
                saved_price=listing.price,
                saved_currency="UZS",
                created_at=timezone.now() - timedelta(minutes=minutes),
            )
        Listing.objects.filter(pk=old.pk).update(price=Decimal("95000000"))
        client.force_login(user)
        html = client.get("/saved/").content.decode()
        order = [html.index(t) for t in ("New Spark", "Expired Lacetti", "Sold Malibu", "Old Nexia")]
        assert order == sorted(order)
        assert "price-down" in html[html.index("Old Nexia") :]
        assert "badge-sold" in html[html.index("Sold Malibu") : html.index("Old Nexia")]
        assert "badge-expired" in html[html.index("Expired Lacetti") : html.index("Sold Malibu")]

    def test_remove_takes_the_favorite_away_and_comes_back(self, client):
        user, listing = UserFactory(), ListingFactory()
        client.force_login(user)
        toggle(client, listing)
        response = client.post(f"/saved/favorite/{listing.pk}/", {"next": "/saved/"})
        assert response["Location"] == "/saved/"
        assert not Favorite.objects.exists()

    def test_it_is_translated_under_uz(self, client):
        html = client.get("/uz/saved/").content.decode()
        assert 'lang="uz"' in html
        assert "Sevimli e’lonlar" in html and "Saqlangan qidiruvlar" in html


class TestSellerDashboard:
    def test_the_seller_sees_how_many_buyers_kept_the_listing(self, client):
        listing = ListingFactory()
        for _ in range(2):
            client.force_login(UserFactory())
            toggle(client, listing)
        client.force_login(listing.owner)
        html = client.get("/u/listings/").content.decode()
        assert "Избранное: 2" in html or "В избранном: 2" in html


class TestWhatCanBeKept:
    def test_a_listing_under_review_cannot_be_added(self, client):
        assert toggle(client, ListingFactory(status=Listing.Status.PENDING)).status_code == 404

    def test_a_favorite_can_be_removed_whatever_became_of_the_listing(self, client):
        user, listing = UserFactory(), ListingFactory()
        client.force_login(user)
        toggle(client, listing)
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.REJECTED)
        assert toggle(client, listing).status_code == 302
        assert not Favorite.objects.exists()
