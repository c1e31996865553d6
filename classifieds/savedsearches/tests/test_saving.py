"""Saving a search from the SRP: normalization, title, frequency, the limit, /saved/ and replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.savedsearches.models import MAX_SAVED_SEARCHES, SavedSearch

pytestmark = [pytest.mark.django_db]

URL = "/c/cars/tashkent/?attrs.make=chevrolet&price_max=10000&currency=USD"


def save(client, url=URL, frequency="daily"):
    return client.post("/saved/searches/", {"url": url, "frequency": frequency})


@pytest.fixture
def user(client):
    user = UserFactory(email="buyer@example.com")
    client.force_login(user)
    return user


class TestSaving:
    def test_the_srp_offers_to_save_itself(self, client, catalog, user):
        html = client.get("/c/cars/").content.decode()
        assert 'action="/saved/searches/"' in html
        assert 'name="url" value="/c/cars/"' in html

    def test_it_stores_the_normalized_query_and_returns_to_the_srp(self, client, catalog, user):
        response = save(client, URL + "&page=3&sort=newest&junk=1")
        assert response.status_code == 302
        assert response["Location"] == URL + "&page=3&sort=newest&junk=1"
        saved = SavedSearch.objects.get(user=user)
        assert (saved.category, saved.location) == (catalog.cars, catalog.tashkent)
        assert saved.params == "attrs.make=chevrolet&currency=USD&price_max=10000"
        assert saved.frequency == "daily"
        assert saved.language == "ru"

    def test_the_same_search_saved_twice_is_one(self, client, catalog, user):
        save(client)
        save(client, "/c/cars/tashkent/?currency=USD&price_max=10000&attrs.make=chevrolet&page=2", frequency="weekly")
        saved = SavedSearch.objects.get(user=user)
        assert saved.frequency == "weekly"

    def test_a_different_sort_is_a_different_search(self, client, catalog, user):
        save(client)
        save(client, URL + "&sort=price_asc")
        assert SavedSearch.objects.filter(user=user).count() == 2

    def test_its_title_is_generated_from_the_query(self, client, catalog, user):
        save(client)
        assert SavedSearch.objects.get().title == "Транспорт › Легковые › Chevrolet, Ташкент, до 10\u00a0000\u00a0$"

    def test_the_title_is_in_the_language_of_the_page(self, client, catalog, user):
        save(client, "/uz/c/cars/tashkent/?attrs.make=chevrolet&price_max=10000&currency=USD")
        saved = SavedSearch.objects.get()
        assert saved.language == "uz"
        assert saved.title == "Transport › Legkovie › Chevrolet, Tashkent, 10\u00a0000\u00a0$ gacha"

    def test_a_page_that_is_not_a_search_is_refused(self, client, catalog, user):
        assert save(client, "/saved/").status_code == 404
        assert save(client, "https://evil.example/c/cars/").status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, catalog):
        response = save(client)
        assert response.status_code == 302
        assert "/auth/" in response["Location"] or "otp" in response["Location"]
        assert not SavedSearch.objects.exists()

    def test_beyond_fifty_it_says_so_and_saves_nothing(self, client, catalog, user):
        SavedSearch.objects.bulk_create(
            SavedSearch(user=user, title=f"s{i}", params=f"q=x{i}", key=f"k{i}") for i in range(MAX_SAVED_SEARCHES)
        )
        response = save(client)
        assert SavedSearch.objects.filter(user=user).count() == MAX_SAVED_SEARCHES
        html = client.get(response["Location"]).content.decode()
        assert "50" in html and "saved-search" not in html[html.index("50") - 5 : html.index("50")]
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any(str(MAX_SAVED_SEARCHES) in m for m in messages)


class TestSavedList:
    def test_it_lists_saved_searches_with_new_matches_since_the_last_visit(self, client, catalog, user):
        save(client, "/c/cars/?attrs.make=chevrolet")
        saved = SavedSearch.objects.get()
        SavedSearch.objects.filter(pk=saved.pk).update(last_visited_at=timezone.now() - timedelta(hours=1))
        catalog.car("chevrolet", minutes=3 * 24 * 60 - 30)  # 30 minutes ago
        catalog.car("chevrolet", minutes=3 * 24 * 60 - 20)
        catalog.car("daewoo", minutes=3 * 24 * 60 - 10)
        catalog.car("chevrolet", minutes=3 * 24 * 60 - 120)  # before the last visit
        html = client.get("/saved/").content.decode()
        assert "2 новых" in html

    def test_opening_one_replays_exactly_that_srp_and_resets_the_count(self, client, catalog, user):
        save(client)
        saved = SavedSearch.objects.get()
        SavedSearch.objects.filter(pk=saved.pk).update(last_visited_at=timezone.now() - timedelta(hours=1))
        response = client.get(f"/saved/searches/{saved.pk}/open/")
        assert response["Location"] == "/c/cars/tashkent/?attrs.make=chevrolet&currency=USD&price_max=10000"
        assert client.get(response["Location"]).status_code == 200
        saved.refresh_from_db()
        assert timezone.now() - saved.last_visited_at < timedelta(minutes=1)

    def test_the_title_and_frequency_can_be_edited(self, client, catalog, user):
        save(client)
        saved = SavedSearch.objects.get()
        client.post(f"/saved/searches/{saved.pk}/", {"title": "Моя Кобальт", "frequency": "instant"})
        saved.refresh_from_db()
        assert (saved.title, saved.frequency) == ("Моя Кобальт", "instant")

    def test_it_can_be_deleted(self, client, catalog, user):
        save(client)
        client.post(f"/saved/searches/{SavedSearch.objects.get().pk}/delete/")
        assert not SavedSearch.objects.exists()

    def test_someone_elses_saved_search_is_404(self, client, catalog, user):
        other = SavedSearch.objects.create(user=UserFactory(), title="x", key="x")
        assert client.get(f"/saved/searches/{other.pk}/open/").status_code == 404
        assert client.post(f"/saved/searches/{other.pk}/delete/").status_code == 404
