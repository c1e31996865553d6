"""Routing on intake, each moderator decision's effect (visibility, index, record), bans, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings import services as listings
from classifieds.listings.lifecycle import Status
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.moderation import services
from classifieds.moderation.models import ModerationAction, ModerationSettings, Route, Screening
from classifieds.moderation.rules import Hit
from classifieds.search.backends import get_search_backend
from classifieds.search.query import ListingQuery
from classifieds.taxonomy.tests.factories import CategoryFactory

from .factories import moderator_user, support_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return moderator_user()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Tests run in one transaction: run what would happen after commit (reindexing) now."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def findable(listing: Listing) -> bool:
    query = ListingQuery(category_id=listing.category_id, category_is_leaf=True)
    return listing.pk in get_search_backend().ids(query, offset=0, limit=1000)


def draft(**fields) -> Listing:
    fields.setdefault("title", "Продаю велосипед Stels")
    fields.setdefault("description", "Велосипед в хорошем состоянии, катался одно лето.")
    listing = ListingFactory(status=Status.DRAFT, published_at=None, expires_at=None, **fields)
    return listing


class TestRouting:
    settings = ModerationSettings(hold_score=40, reject_score=100, sample_percent=10)

    def route(self, scores, sensitive=False, draw=0.5) -> Route:
        hits = [Hit("contacts", score, "x", "contacts_in_text") for score in scores]
        return services.route_for(hits=hits, settings=self.settings, sensitive=sensitive, sample_draw=draw).route

    def test_no_hits_publish_and_a_drawn_share_is_sampled(self):
        assert self.route([]) == Route.PUBLISH
        assert self.route([], draw=0.05) == Route.SAMPLE

    def test_scores_route_to_hold_and_reject(self):
        assert self.route([30]) == Route.PUBLISH
        assert self.route([30, 10]) == Route.HOLD
        assert self.route([50, 50]) == Route.REJECT

    def test_a_sensitive_category_is_always_held(self):
        assert self.route([], sensitive=True, draw=0.99) == Route.HOLD


class TestIntake:
    def test_a_clean_listing_is_published_and_its_screening_recorded(self):
        listing = listings.listing_submit(listing=draft(), actor=None)
        assert listing.status == Status.ACTIVE
        screening = Screening.objects.get(listing=listing)
        assert screening.route in (Route.PUBLISH, Route.SAMPLE) and screening.hits == []

    def test_a_phone_in_the_text_holds_it_for_review(self):
        listing = listings.listing_submit(listing=draft(description="Звоните: +998 90 123 45 67, отвечу"), actor=None)
        assert listing.status == Status.PENDING
        assert Screening.objects.get(listing=listing).rules == ["contacts"]

    def test_a_card_number_rejects_it_with_a_reason_code(self):
        listing = listings.listing_submit(
            listing=draft(description="Oldindan to'lov kartaga 8600 1234 5678 9004"), actor=None
        )
        assert (listing.status, listing.rejection_reason) == (Status.REJECTED, "contacts_in_text")

    def test_a_sensitive_category_holds_a_clean_listing(self):
        listing = listings.listing_submit(listing=draft(category=CategoryFactory(requires_moderation=True)), actor=None)
        assert listing.status == Status.PENDING

    def test_editing_a_live_listing_runs_the_rules_again(self):
        listing = ListingFactory(title="Велосипед Stels", description="Хороший велосипед, катался одно лето.")
        edited = listings.listing_edit(
            listing=listing,
            fields={"description": "Пишите в телеграм @velo_seller за скидкой"},
            attributes={},
            actor=None,
        )
        assert edited.status == Status.PENDING
        assert Screening.objects.filter(listing=listing, trigger="edit").exists()

    def test_a_rejected_listing_edited_by_its_seller_goes_back_to_review(self):
        listing = listings.listing_submit(
            listing=draft(description="Звоните 90 123 45 67 или 8600 1234 5678 9004"), actor=None
        )
        assert listing.status == Status.REJECTED
        resubmitted = listings.listing_edit(
            listing=listing,
            fields={"description": "Велосипед в хорошем состоянии, звоните по кнопке."},
            attributes={},
            actor=listing.owner,
        )
        assert (resubmitted.status, resubmitted.rejection_reason) == (Status.PENDING, "")


class TestDecisions:
    def test_approve_publishes_indexes_records_and_gives_a_whole_lifetime(self, moderator, on_commit):
        listing = ListingFactory(status=Status.PENDING, expires_at=timezone.now() + timedelta(days=2))
        with on_commit():
            services.listing_moderate_approve(listing=listing, moderator=moderator, note="ok")
        listing.refresh_from_db()
        assert listing.status == Status.ACTIVE and findable(listing)
        assert listing.expires_at > timezone.now() + timedelta(days=29)  # waiting did not shorten it
        action = ModerationAction.objects.get(listing=listing)
        assert (action.kind, action.moderator, action.status_before, action.status_after) == (
            "approve",
            moderator,
            "pending",
            "active",
        )

    def test_reject_takes_a_live_listing_down_with_the_reason_code(self, moderator, on_commit):
        listing = ListingFactory(status=Status.ACTIVE)
        assert findable(listing)
        with on_commit():
            services.listing_moderate_reject(listing=listing, moderator=moderator, reason="scam", note="seen before")
        listing.refresh_from_db()
        assert (listing.status, listing.rejection_reason) == (Status.REJECTED, "scam")
        assert not findable(listing)
        assert listing.rejection_reason_label == "Объявление похоже на мошенничество."  # ru, the default language

    def test_request_changes_sends_it_back_to_the_seller(self, moderator):
        listing = ListingFactory(status=Status.PENDING)
        services.listing_moderate_request_changes(listing=listing, moderator=moderator, reason="incomplete")
        listing.refresh_from_db()
        assert (listing.status, listing.rejection_reason) == (Status.REJECTED, "incomplete")
        assert ModerationAction.objects.get(listing=listing).kind == "request_changes"

    def test_a_reason_outside_the_list_is_refused(self, moderator):
        listing = ListingFactory(status=Status.PENDING)
        with pytest.raises(services.ModerationError):
            services.listing_moderate_reject(listing=listing, moderator=moderator, reason="because")
        listing.refresh_from_db()
        assert listing.status == Status.PENDING

    def test_a_decision_the_lifecycle_forbids_changes_nothing(self, moderator):
        listing = ListingFactory(status=Status.DRAFT)
        with pytest.raises(services.ModerationError):
            services.listing_moderate_approve(listing=listing, moderator=moderator)
        assert not ModerationAction.objects.exists()

    def test_support_and_sellers_cannot_decide(self):
        listing = ListingFactory(status=Status.PENDING)
        for person in (support_user(), UserFactory()):
            with pytest.raises(PermissionDenied):
                services.listing_moderate_approve(listing=listing, moderator=person)
        listing.refresh_from_db()
        assert listing.status == Status.PENDING


class TestBan:
    def test_a_ban_hides_every_listing_and_the_unban_restores_them(self, moderator, on_commit):
        seller = UserFactory()
        live = ListingFactory(owner=seller)
        waiting = ListingFactory(owner=seller, status=Status.PENDING)
        sold = ListingFactory(owner=seller, status=Status.SOLD)
        with on_commit():
            services.seller_ban(seller=seller, moderator=moderator, reason="scam", note="many reports")
        seller.refresh_from_db()
        assert seller.banned_at is not None and seller.ban_reason == "scam"
        statuses = dict(Listing.objects.filter(owner=seller).values_list("pk", "status"))
        assert statuses == {live.pk: "hidden", waiting.pk: "hidden", sold.pk: "sold"}
        assert not findable(live)
        assert Event.objects.about(seller).filter(topic="account.banned").exists()

        with on_commit():
            services.seller_unban(seller=seller, moderator=moderator)
        seller.refresh_from_db()
        assert seller.banned_at is None
        statuses = dict(Listing.objects.filter(owner=seller).values_list("pk", "status"))
        assert statuses == {live.pk: "active", waiting.pk: "pending", sold.pk: "sold"}
        assert findable(live)
        kinds = list(ModerationAction.objects.filter(listing=live).order_by("pk").values_list("kind", flat=True))
        assert kinds == ["ban", "unban"]

    def test_a_banned_seller_cannot_post(self, moderator):
        seller = UserFactory()
        services.seller_ban(seller=seller, moderator=moderator, reason="scam")
        with pytest.raises(listings.ListingError):
            listings.listing_submit(listing=draft(owner=seller), actor=seller)

    def test_staff_are_not_banned_here_and_a_ban_is_not_doubled(self, moderator):
        with pytest.raises(services.ModerationError):
            services.seller_ban(seller=support_user(), moderator=moderator, reason="other")
        seller = UserFactory()
        services.seller_ban(seller=seller, moderator=moderator, reason="scam")
        with pytest.raises(services.ModerationError):
            services.seller_ban(seller=seller, moderator=moderator, reason="scam")
