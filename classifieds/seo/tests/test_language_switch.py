"""Every page carries the header's language switch, including pages whose view sets no SEO meta."""

from __future__ import annotations

import re

import pytest

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.taxonomy.tests.factories import CategoryFactory

pytestmark = [pytest.mark.django_db]


def language_switch(response) -> dict[str, str]:
    """{"RU": href or "current", "UZ": ...} from the header's switch."""
    html = response.content.decode()
    nav = re.search(r'<nav class="lang-switch"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "the page has no language switch"
    links = {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="lang" href="([^"]*)"[^>]*>(\w\w)</a>', nav.group(1))
    }
    links.update(dict.fromkeys(re.findall(r'<span class="lang current"[^>]*>(\w\w)</span>', nav.group(1)), "current"))
    return links


@pytest.fixture
def seller(client):
    user = UserFactory()
    client.force_login(user)
    return user


class TestPagesWithoutSeoMeta:
    def test_the_posting_wizard_has_the_switch(self, client, seller):
        assert language_switch(client.get("/post/")) == {"RU": "current", "UZ": "/uz/post/"}
        assert language_switch(client.get("/uz/post/")) == {"RU": "/post/", "UZ": "current"}

    def test_the_wizard_keeps_its_draft_when_switching(self, client, seller):
        draft = ListingFactory(owner=seller, status=Listing.Status.DRAFT, category=CategoryFactory())
        response = client.get(f"/post/details/?draft={draft.pk}")
        assert response.status_code == 200
        assert language_switch(response) == {"RU": "current", "UZ": f"/uz/post/details/?draft={draft.pk}"}

    def test_the_dashboard_has_the_switch(self, client, seller):
        response = client.get("/u/listings/?tab=active")
        assert language_switch(response) == {"RU": "current", "UZ": "/uz/u/listings/?tab=active"}

    def test_a_page_that_is_not_found_offers_the_home_page_in_each_language(self, client):
        response = client.get("/uz/no-such-page/")
        assert response.status_code == 404
        assert language_switch(response) == {"RU": "/", "UZ": "current"}


class TestPagesWithSeoMeta:
    def test_they_keep_their_own_alternates(self, client):
        # The page's meta knows the other language's address; only its path matters here.
        links = language_switch(client.get("/saved/"))
        assert links["RU"] == "current" and links["UZ"].endswith("/uz/saved/")
