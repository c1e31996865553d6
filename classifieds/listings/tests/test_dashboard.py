"""The seller's dashboard: tabs by status with counts, counters, and owner-only POST actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.taxonomy.tests.factories import CategoryFactory

from .factories import ListingFactory

pytestmark = pytest.mark.django_db

S = Listing.Status
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dashboard"}


@pytest.fixture
def seller():
    return UserFactory()


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


@pytest.fixture
def mine(seller):
    past = timezone.now() - timedelta(days=1)
    return {
        "active": ListingFactory(owner=seller, title="Active one", views_count=17, phone_reveals_count=3),
        "pending": ListingFactory(owner=seller, title="Waiting one", status=S.PENDING),
        "rejected": ListingFactory(
            owner=seller, title="Refused one", status=S.REJECTED, rejection_reason="Photo from the internet"
        ),
        "expired": ListingFactory(owner=seller, title="Old one", status=S.ACTIVE, expires_at=past),
        "draft": ListingFactory(owner=seller, title="Half typed", status=S.DRAFT),
        "sold": ListingFactory(owner=seller, title="Gone one", status=S.SOLD),
        "deleted": ListingFactory(owner=seller, title="Deleted one", status=S.DELETED),
    }


def action(client, listing, name, **extra):
    return client.post(f"/u/listings/{listing.pk}/{name}/", {"tab": "active"}, **extra)


class TestTabs:
    def test_it_needs_sign_in(self, client):
        assert client.get("/u/listings/").status_code == 302

    def test_each_tab_counts_and_lists_its_listings(self, signed_in, mine):
        response = signed_in.get("/u/listings/")
        counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
        assert counts == {"active": 1, "pending": 1, "rejected": 1, "expired": 1, "draft": 1, "sold": 1}
        html = response.content.decode()
        assert "Active one" in html and "Old one" not in html and "Deleted one" not in html
        assert "17" in html and "30" in html  # views, days left
        rejected = signed_in.get("/u/listings/?tab=rejected").content.decode()
        assert "Photo from the internet" in rejected
        assert "Old one" in signed_in.get("/u/listings/?tab=expired").content.decode()
        assert "Half typed" in signed_in.get("/u/listings/?tab=draft").content.decode()

    def test_with_htmx_a_tab_swaps_only_the_list(self, signed_in, mine):
        html = signed_in.get("/u/listings/?tab=sold", **HTMX).content.decode()
        assert "<html" not in html and 'id="dashboard"' in html and "Gone one" in html

    def test_nobody_else_s_listings_appear(self, signed_in, mine):
        ListingFactory(title="Someone else's")
        assert "Someone else" not in signed_in.get("/u/listings/").content.decode()


class TestActions:
    def test_mark_sold_without_js_redirects_back_to_the_tab(self, signed_in, mine):
        response = action(signed_in, mine["active"], "sold")
        assert response.status_code == 302 and response["Location"] == "/u/listings/?tab=active"
        mine["active"].refresh_from_db()
        assert mine["active"].status == S.SOLD
        assert Event.objects.filter(topic="search.reindex", subject_id=str(mine["active"].pk)).exists()

    def test_with_htmx_an_action_returns_the_updated_list(self, signed_in, mine):
        response = action(signed_in, mine["active"], "deactivate", **HTMX)
        html = response.content.decode()
        assert "<html" not in html and "Active one" not in html
        mine["active"].refresh_from_db()
        assert mine["active"].status == S.EXPIRED and not mine["active"].is_visible

    def test_with_htmx_the_actions_message_comes_with_the_list_not_on_the_next_page(self, signed_in, mine):
        html = action(signed_in, mine["active"], "deactivate", **HTMX).content.decode()
        assert 'id="messages"' in html and 'data-hx-swap-oob="true"' in html
        assert "Объявление больше не показывается." in html
        assert "Объявление больше не показывается." not in signed_in.get("/u/listings/").content.decode()

    def test_with_htmx_a_refused_action_says_why_in_the_same_answer(self, signed_in, mine):
        html = action(signed_in, mine["sold"], "deactivate", **HTMX).content.decode()
        assert "Снять с публикации можно только опубликованное объявление." in html
        assert 'data-hx-swap-oob="true"' in html

    def test_a_draft_deleted_before_it_had_a_price_is_gone(self, signed_in, seller):
        draft = ListingFactory(owner=seller, status=S.DRAFT, price=None, title="No price yet")
        response = action(signed_in, draft, "delete")
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == S.DELETED and draft.price is None

    def test_an_expired_listing_can_be_reactivated_for_another_lifetime(self, signed_in, mine):
        action(signed_in, mine["expired"], "reactivate")
        mine["expired"].refresh_from_db()
        assert mine["expired"].status == S.ACTIVE and mine["expired"].is_visible
        assert mine["expired"].expires_at > timezone.now() + timedelta(days=29)

    def test_reactivating_under_pre_moderation_goes_to_review(self, signed_in, seller):
        listing = ListingFactory(owner=seller, status=S.EXPIRED, category=CategoryFactory(requires_moderation=True))
        action(signed_in, listing, "reactivate")
        listing.refresh_from_db()
        assert listing.status == S.PENDING

    def test_an_active_listing_cannot_be_reactivated(self, signed_in, mine):
        response = action(signed_in, mine["active"], "reactivate", follow=True)
        mine["active"].refresh_from_db()
        assert mine["active"].status == S.ACTIVE
        assert response.status_code == 200

    def test_delete_is_soft_and_hides_the_listing_everywhere(self, signed_in, mine):
        action(signed_in, mine["sold"], "delete")
        mine["sold"].refresh_from_db()
        assert mine["sold"].status == S.DELETED
        assert signed_in.get(mine["sold"].get_absolute_url()).status_code == 404
        assert signed_in.get(f"/post/details/?draft={mine['sold'].pk}").status_code == 404

    @pytest.mark.parametrize("name", ["sold", "deactivate", "reactivate", "delete"])
    def test_another_sellers_listing_is_not_found(self, client, mine, name):
        client.force_login(UserFactory())
        for listing in mine.values():
            assert action(client, listing, name).status_code == 404
        assert Listing.objects.filter(status=S.DELETED).count() == 1

    def test_actions_are_post_only(self, signed_in, mine):
        assert signed_in.get(f"/u/listings/{mine['active'].pk}/delete/").status_code == 405

    def test_an_unknown_action_is_not_found(self, signed_in, mine):
        assert action(signed_in, mine["active"], "promote-for-free").status_code == 404

    def test_actions_need_the_csrf_token(self, seller, mine):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(seller)
        assert action(client, mine["active"], "delete").status_code == 403
