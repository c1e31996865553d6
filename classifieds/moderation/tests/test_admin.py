"""The workbench in Admin: queues, the review page, actions through the services, who may act."""

from __future__ import annotations

import pytest
from django.contrib import admin

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.lifecycle import Status
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.moderation.models import ModerationAction, Report, Screening
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

from .factories import moderator_user, support_user

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/reviewqueueitem/"


def pending(**fields) -> Listing:
    listing = ListingFactory(status=Status.PENDING, **fields)
    Screening.objects.create(
        listing=listing,
        trigger="submit",
        route="hold",
        score=50,
        reason="contacts_in_text",
        rules=["contacts"],
        hits=[{"rule": "contacts", "score": 50, "detail": "phone 90 123 45 67", "reason": "contacts_in_text"}],
    )
    return listing


class TestQueue:
    def test_it_lists_pending_listings_oldest_first_with_their_rule_hits(self, client):
        older, newer = pending(title="Первое объявление"), pending(title="Второе объявление")
        Listing.objects.filter(pk=newer.pk).update(updated_at=older.updated_at.replace(year=2030))
        ListingFactory(title="Уже опубликовано")
        client.force_login(moderator_user())
        page = client.get(QUEUE)
        assert page.status_code == 200
        rows = [row.pk for row in page.context["cl"].result_list]
        assert rows == [older.pk, newer.pk]
        assert "контакты в тексте" in page.content.decode()

    def test_it_filters_by_rule_reason_category_and_region(self, client):
        tashkent, samarkand = LocationFactory(), LocationFactory()
        cars, flats = CategoryFactory(), CategoryFactory()
        hit = pending(category=cars, location=tashkent)
        clean = ListingFactory(status=Status.PENDING, category=flats, location=samarkand)
        client.force_login(moderator_user())
        for query, expected in (
            ("rule=contacts", [hit.pk]),
            ("reason=contacts_in_text", [hit.pk]),
            (f"top_category={flats.pk}", [clean.pk]),
            (f"region={tashkent.pk}", [hit.pk]),
        ):
            page = client.get(f"{QUEUE}?{query}")
            assert [row.pk for row in page.context["cl"].result_list] == expected, query

    def test_the_review_page_shows_the_listing_hits_and_seller_history(self, client):
        listing = pending(title="Продаю iPhone 15", description="Звоните 90 123 45 67")
        ListingFactory(owner=listing.owner, title="Старое объявление продавца")
        Report.objects.create(listing=listing, seller=listing.owner, visitor="session:x", reason="scam")
        client.force_login(moderator_user())
        page = client.get(f"{QUEUE}{listing.pk}/change/")
        body = page.content.decode()
        assert page.status_code == 200
        for text in ("Продаю iPhone 15", "phone 90 123 45 67", "Старое объявление продавца", 'value="approve"'):
            assert text in body

    def test_a_bad_id_is_a_404(self, client):
        client.force_login(moderator_user())
        assert client.get(f"{QUEUE}abc/change/").status_code in (302, 404)
        assert client.get(f"{QUEUE}999999/change/").status_code == 404


class TestActions:
    def test_bulk_approve_goes_through_the_service_and_skips_what_it_cannot(self, client):
        listing, other = pending(), pending()
        moderator = moderator_user()
        client.force_login(moderator)
        Listing.objects.filter(pk=other.pk).update(status=Status.SOLD)  # changed meanwhile
        response = client.post(QUEUE, {"action": "approve_selected", "_selected_action": [listing.pk, other.pk]})
        assert response.status_code == 302
        listing.refresh_from_db()
        assert listing.status == Status.ACTIVE
        assert ModerationAction.objects.get().moderator == moderator

    def test_bulk_reject_asks_for_a_reason_first(self, client):
        listing = pending()
        client.force_login(moderator_user())
        selected = {"action": "reject_selected", "_selected_action": [listing.pk]}
        ask = client.post(QUEUE, selected)
        assert ask.status_code == 200 and 'name="reason"' in ask.content.decode()
        done = client.post(QUEUE, {**selected, "apply": "1", "reason": "prohibited", "note": "internal"})
        assert done.status_code == 302
        listing.refresh_from_db()
        assert (listing.status, listing.rejection_reason) == (Status.REJECTED, "prohibited")

    def test_the_review_page_rejects_with_a_note_the_seller_never_sees(self, client):
        listing = pending()
        client.force_login(moderator_user())
        response = client.post(
            f"{QUEUE}{listing.pk}/change/", {"decision": "reject", "reason": "scam", "note": "Same photos as #12"}
        )
        assert response.status_code == 302
        client.force_login(listing.owner)
        dashboard = client.get("/u/listings/?tab=rejected").content.decode()
        assert "Объявление похоже на мошенничество." in dashboard
        assert "Same photos as #12" not in dashboard

    def test_the_review_page_bans_the_seller(self, client):
        listing = pending()
        client.force_login(moderator_user())
        client.post(f"{QUEUE}{listing.pk}/change/", {"decision": "ban", "reason": "scam", "note": ""})
        listing.owner.refresh_from_db()
        assert listing.owner.banned_at is not None


class TestPermissions:
    def test_support_sees_the_queues_but_cannot_act(self, client):
        listing = pending()
        client.force_login(support_user())
        queue = client.get(QUEUE)
        assert queue.status_code == 200 and queue.context["action_form"] is None
        page = client.get(f"{QUEUE}{listing.pk}/change/")
        assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
        assert client.post(f"{QUEUE}{listing.pk}/change/", {"decision": "approve"}).status_code == 403
        client.post(QUEUE, {"action": "approve_selected", "_selected_action": [listing.pk]})
        listing.refresh_from_db()
        assert listing.status == Status.PENDING
        assert client.get("/admin/moderation/moderationaction/kpis/").status_code == 200

    def test_a_seller_opens_no_workbench_page(self, client):
        client.force_login(UserFactory())
        assert client.get(QUEUE).status_code == 302  # to the Admin sign-in

    def test_decisions_cannot_be_edited_or_deleted(self, client):
        client.force_login(moderator_user())
        action = ModerationAction.objects.create(kind="approve", seller=UserFactory())
        assert client.get(f"/admin/moderation/moderationaction/{action.pk}/delete/").status_code == 403
        assert client.post(f"/admin/moderation/moderationaction/{action.pk}/change/", {"note": "x"}).status_code == 403


class TestNoAdminPathEditsStatus:
    def test_no_admin_form_for_a_listing_or_user_has_a_status_or_ban_field(self, rf):
        superuser = UserFactory(is_staff=True, is_superuser=True)
        request = rf.get("/admin/")
        request.user = superuser
        checked = 0
        for model, model_admin in admin.site._registry.items():
            if not (issubclass(model, Listing) or hasattr(model, "banned_at")):
                continue
            form = model_admin.get_form(request, obj=None if issubclass(model, Listing) else superuser)
            assert not {"status", "banned_at", "ban_reason"} & set(form.base_fields), model
            checked += 1
        assert checked >= 5  # listings, the three queues, users, sellers

    def test_kpis_show_the_queue(self, client):
        pending(), pending()
        client.force_login(moderator_user())
        decisions = client.get("/admin/moderation/moderationaction/").content.decode()
        assert 'href="/admin/moderation/moderationaction/kpis/"' in decisions
        page = client.get("/admin/moderation/moderationaction/kpis/")
        assert page.status_code == 200 and page.context["figures"]["queue_length"] == 2
