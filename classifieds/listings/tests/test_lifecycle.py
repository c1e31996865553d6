"""The listing lifecycle: one table of (state, action) -> state, obeyed by every service that changes a status."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from classifieds.accounts import services as account_services
from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings import lifecycle, moderation, services
from classifieds.listings.lifecycle import Action, Status
from classifieds.listings.models import Listing
from classifieds.taxonomy.tests.factories import CategoryFactory

from .factories import ListingFactory

pytestmark = pytest.mark.django_db

SNAPSHOT = ("status", "title", "expires_at", "refreshed_at", "rejection_reason")


def run(action: Action, listing: Listing, actor) -> None:
    """Ask the service behind ``action`` to do it to ``listing``."""
    if action == Action.UPDATE_DRAFT:
        services.listing_update_draft(listing=listing, fields={"title": "Changed title"}, attributes=None, actor=actor)
    elif action == Action.SUBMIT:
        services.listing_submit(listing=listing, actor=actor)
    elif action == Action.EDIT:
        services.listing_edit(listing=listing, fields={"title": "Changed title"}, attributes={}, actor=actor)
    elif action == Action.MARK_SOLD:
        services.listing_mark_sold(listing=listing, actor=actor)
    elif action == Action.DEACTIVATE:
        services.listing_deactivate(listing=listing, actor=actor)
    elif action == Action.REACTIVATE:
        services.listing_reactivate(listing=listing, actor=actor)
    elif action == Action.DELETE:
        services.listing_delete(listing=listing, actor=actor)
    elif action == Action.APPROVE:
        services.listing_approve(listing=listing, actor=actor)
    elif action == Action.REJECT:
        services.listing_reject(listing=listing, actor=actor, reason="A card number in the text")
    elif action == Action.REQUEST_CHANGES:
        moderation.listing_request_changes(listing=listing, actor=actor, reason="incomplete")
    elif action == Action.HOLD:
        moderation.listing_hold_for_review(listing=listing, actor=actor, reason="reports")
    elif action == Action.HIDE:
        moderation.listings_hide_for_banned_owner(user=listing.owner, actor=actor)
    elif action == Action.RESTORE:
        moderation.listings_restore_for_unbanned_owner(user=listing.owner, actor=actor)
    elif action == Action.EXPIRE:
        services.listings_expire_due(now=timezone.now())
    elif action == Action.EXTEND:
        services.listing_extend(listing=listing, actor=actor)
    else:  # pragma: no cover - a new action needs its service here
        raise AssertionError(f"no service for {action}")


def snapshot(listing: Listing) -> dict:
    listing.refresh_from_db()
    return {name: getattr(listing, name) for name in SNAPSHOT}


# The expiry sweep and the (idempotent) submit select or skip rows instead of raising.
SILENT_WHEN_FORBIDDEN = {Action.EXPIRE, Action.SUBMIT, Action.HIDE, Action.RESTORE}


class TestEveryStateAndAction:
    @pytest.mark.parametrize(("state", "action"), list(itertools.product(Status, Action)), ids=lambda v: str(v))
    @pytest.mark.parametrize("moderated", [False, True], ids=["plain", "pre-moderated"])
    def test_allowed_pairs_move_where_the_table_says_and_forbidden_ones_change_nothing(self, state, action, moderated):
        category = CategoryFactory(requires_moderation=moderated)
        seller = UserFactory()
        # The sweep only takes what is past its expiry; every other action sees a live listing.
        expires_at = timezone.now() + (timedelta(minutes=-1) if action == Action.EXPIRE else timedelta(days=3))
        listing = ListingFactory(owner=seller, category=category, status=state, expires_at=expires_at)
        before = snapshot(listing)
        events = Event.objects.about(listing).count()
        move = lifecycle.TRANSITIONS.get((state, action))

        if move is None and action not in SILENT_WHEN_FORBIDDEN:
            with pytest.raises(services.ListingActionNotAllowed):
                run(action, listing, seller)
        else:
            run(action, listing, seller)

        after = snapshot(listing)
        if move is None:
            assert after == before
            assert Event.objects.about(listing).count() == events
        else:
            assert after["status"] == move.target(moderated=moderated)
            assert Event.objects.about(listing).count() > events or action == Action.UPDATE_DRAFT


class TestTheTableItself:
    def test_a_listing_under_review_cannot_be_sold_or_deactivated_by_its_seller(self):
        # The defect of issue 10: pending -> expired / sold served unreviewed text to anyone.
        for action in (Action.MARK_SOLD, Action.DEACTIVATE, Action.REACTIVATE):
            assert not lifecycle.is_allowed(Status.PENDING, action)

    @pytest.mark.parametrize("start", [Status.DRAFT, Status.PENDING, Status.REJECTED])
    def test_no_sequence_of_seller_actions_makes_an_unreviewed_listing_public_under_pre_moderation(self, start):
        reached, frontier = {start}, [start]
        while frontier:
            state = frontier.pop()
            for action in lifecycle.SELLER_ACTIONS:
                move = lifecycle.TRANSITIONS.get((state, action))
                if move is not None and move.moderated not in reached:
                    reached.add(move.moderated)
                    frontier.append(move.moderated)
        assert reached.isdisjoint(lifecycle.PUBLIC), reached

    def test_public_is_active_expired_and_sold(self):
        assert {Status.ACTIVE, Status.EXPIRED, Status.SOLD} == lifecycle.PUBLIC

    def test_deleted_is_final(self):
        assert not any(state == Status.DELETED for state, _action in lifecycle.TRANSITIONS)


class TestExpiryIsAState:
    def test_an_active_listing_past_its_expiry_is_reactivated_not_deactivated(self):
        seller = UserFactory()
        listing = ListingFactory(owner=seller, expires_at=timezone.now() - timedelta(hours=1))
        with pytest.raises(services.ListingActionNotAllowed):
            services.listing_deactivate(listing=listing, actor=seller)
        services.listing_reactivate(listing=listing, actor=seller)
        listing.refresh_from_db()
        assert listing.status == Status.ACTIVE and listing.expires_at > timezone.now()

    def test_a_live_active_listing_cannot_be_reactivated(self):
        seller = UserFactory()
        listing = ListingFactory(owner=seller)
        with pytest.raises(services.ListingActionNotAllowed, match="только истёкшее объявление"):
            services.listing_reactivate(listing=listing, actor=seller)

    def test_approving_a_listing_whose_lifetime_ran_out_in_review_gives_it_a_new_one(self):
        listing = ListingFactory(status=Status.PENDING, expires_at=timezone.now() - timedelta(days=1))
        services.listing_approve(listing=listing, actor=UserFactory(is_staff=True))
        listing.refresh_from_db()
        assert listing.status == Status.ACTIVE and listing.is_visible

    def test_a_rejection_needs_a_reason(self):
        listing = ListingFactory(status=Status.PENDING)
        with pytest.raises(services.ListingError):
            services.listing_reject(listing=listing, actor=UserFactory(is_staff=True), reason="  ")
        listing.refresh_from_db()
        assert listing.status == Status.PENDING


class TestAccountDeletion:
    def test_it_deletes_every_listing_through_the_table(self):
        seller = UserFactory()
        listings = [ListingFactory(owner=seller, status=state) for state in Status]
        account_services.user_soft_delete(user=seller)
        assert {listing.status for listing in Listing.objects.filter(pk__in=[x.pk for x in listings])} == {
            Status.DELETED
        }


def _seller_does(client: Client, listing: Listing, action: str) -> None:
    """What the seller's browser sends for ``action`` (the dashboard buttons, the wizard's forms)."""
    if action == "edit":
        client.post(
            f"/post/details/?draft={listing.pk}",
            {
                "action": "next",
                "title": "Квартира, звоните 8600 1234 5678 9012",
                "description": "Оплата на карту 8600 1234 5678 9012, без осмотра.",
                "price_type": "amount",
                "price": "500",
                "currency": "USD",
                "region": str(listing.location_id),
                "contact_phone": "+998901234567",
            },
        )
    elif action == "submit":
        client.post(f"/post/review/?draft={listing.pk}")
    else:
        client.post(f"/u/listings/{listing.pk}/{action}/", {"tab": "active"})


class TestNothingUnreviewedBecomesPublic:
    @pytest.mark.parametrize("start", [Status.DRAFT, Status.PENDING, Status.REJECTED])
    @pytest.mark.parametrize("action", ["sold", "deactivate", "reactivate", "delete", "edit", "submit"])
    def test_a_seller_action_on_an_unreviewed_listing_in_a_moderated_category_leaves_its_page_404(
        self, client, start, action
    ):
        seller = UserFactory()
        realty = CategoryFactory(name="Недвижимость", requires_moderation=True)
        flats = CategoryFactory(parent=realty, name="Квартиры")
        listing = ListingFactory(owner=seller, category=flats, status=start)
        client.force_login(seller)

        _seller_does(client, listing, action)
        for seq_action in ("sold", "deactivate", "reactivate"):  # and whatever might follow
            _seller_does(client, listing, seq_action)

        listing.refresh_from_db()
        assert listing.status not in lifecycle.PUBLIC
        assert not Listing.objects.public().filter(pk=listing.pk).exists()
        client.logout()
        assert client.get(f"/l/{listing.pk}-{listing.slug}/").status_code == 404
        assert client.get(f"/l/{listing.pk}/").status_code == 404


class TestDashboardOffersWhatTheTableAllows:
    def test_a_pending_listing_offers_neither_mark_sold_nor_deactivate(self, client):
        seller = UserFactory()
        listing = ListingFactory(owner=seller, status=Status.PENDING)
        client.force_login(seller)
        html = client.get("/u/listings/?tab=pending").content.decode()
        assert f"/u/listings/{listing.pk}/delete/" in html
        assert f"/u/listings/{listing.pk}/sold/" not in html
        assert f"/u/listings/{listing.pk}/deactivate/" not in html

    def test_a_refused_action_is_a_message_not_an_error(self, client):
        seller = UserFactory()
        listing = ListingFactory(owner=seller, status=Status.PENDING)
        client.force_login(seller)
        response = client.post(f"/u/listings/{listing.pk}/sold/", {"tab": "pending"}, follow=True)
        assert response.status_code == 200
        assert "Продано можно отметить только опубликованное или истёкшее объявление." in response.content.decode()
        listing.refresh_from_db()
        assert listing.status == Status.PENDING

    def test_a_sold_listing_cannot_be_edited(self, client):
        seller = UserFactory()
        listing = ListingFactory(owner=seller, status=Status.SOLD)
        client.force_login(seller)
        assert f"/post/details/?draft={listing.pk}" not in client.get("/u/listings/?tab=sold").content.decode()
        response = client.get(f"/post/details/?draft={listing.pk}")
        assert response.status_code == 302 and response["Location"] == "/u/listings/"


@pytest.fixture
def moderator():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="moderators"))
    return user


class TestAdmin:
    def test_the_status_cannot_be_edited_by_hand(self, client, moderator):
        listing = ListingFactory(status=Status.PENDING)
        client.force_login(moderator)
        response = client.get(f"/admin/listings/listing/{listing.pk}/change/")
        assert response.status_code == 200
        assert "status" not in response.context["adminform"].form.fields
        assert 'name="status"' not in response.content.decode()

    def test_decisions_are_not_made_here_but_in_the_moderation_queue(self, client, moderator):
        # Approving or rejecting here would skip the moderation record and the seller's notice.
        client.force_login(moderator)
        page = client.get("/admin/listings/listing/")
        assert page.status_code == 200 and page.context["action_form"] is None


class TestListingsThatLeakedBeforeTheTable:
    def test_a_pending_listing_a_seller_deactivated_or_sold_goes_back_to_draft(self):
        from importlib import import_module

        from django.apps import apps

        migration = import_module("classifieds.listings.migrations.0004_unpublish_unreviewed")
        deactivated = ListingFactory(status=Status.EXPIRED)
        sold = ListingFactory(status=Status.SOLD)
        reviewed_since = ListingFactory(status=Status.ACTIVE)
        honest = ListingFactory(status=Status.SOLD)
        for listing, topic, to in (
            (deactivated, "listing.deactivated", "expired"),
            (sold, "listing.sold", "sold"),
            (reviewed_since, "listing.deactivated", "expired"),
            (honest, "listing.sold", "sold"),
        ):
            Event.objects.create(
                topic=topic,
                subject_type="listings.listing",
                subject_id=str(listing.pk),
                payload={"from": "active" if listing is honest else "pending", "to": to},
            )
        Event.objects.create(
            topic="listing.approved",
            subject_type="listings.listing",
            subject_id=str(reviewed_since.pk),
            payload={"from": "pending", "to": "active"},
            created_at=timezone.now() + timedelta(seconds=1),
        )

        migration.unpublish_unreviewed(apps, None)

        statuses = {
            x.pk: x.status
            for x in Listing.objects.filter(pk__in=[deactivated.pk, sold.pk, reviewed_since.pk, honest.pk])
        }
        assert statuses == {
            deactivated.pk: Status.DRAFT,
            sold.pk: Status.DRAFT,
            reviewed_since.pk: Status.ACTIVE,
            honest.pk: Status.SOLD,
        }


class TestNewPhotosAreReviewedToo:
    def test_a_photo_added_to_a_published_listing_under_pre_moderation_sends_it_back_to_review(self, client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from classifieds.imaging.tests.images import jpeg_bytes

        seller = UserFactory()
        jobs = CategoryFactory(name="Работа", requires_moderation=True)
        listing = ListingFactory(owner=seller, category=CategoryFactory(parent=jobs, name="IT"))
        client.force_login(seller)
        photo = SimpleUploadedFile("card.jpg", jpeg_bytes(800, 600, (200, 40, 40)), content_type="image/jpeg")
        client.post(f"/post/details/?draft={listing.pk}", {"action": "save", "photos": [photo]})

        listing.refresh_from_db()
        assert listing.status == Status.PENDING and listing.photos.count() == 1
        client.logout()
        assert client.get(listing.get_absolute_url()).status_code == 404

    def test_a_sold_listing_takes_no_new_photo(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from classifieds.imaging.tests.images import jpeg_bytes
        from classifieds.media import services as media_services

        listing = ListingFactory(status=Status.SOLD)
        upload = SimpleUploadedFile("x.jpg", jpeg_bytes(800, 600, (1, 2, 3)), content_type="image/jpeg")
        with pytest.raises(media_services.PhotoRejected):
            media_services.photo_add(listing=listing, upload=upload, actor=listing.owner)
        assert not listing.photos.exists()
