"""A ban in the sign-in flow and on open sessions; what sellers are told; sampling; price statistics."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import translation

from classifieds.accounts.tests.conftest import OTP, last_code
from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.lifecycle import Status
from classifieds.listings.tests.factories import ListingFactory
from classifieds.moderation import services
from classifieds.moderation.models import CategoryPriceStat, ModerationSettings, Screening
from classifieds.notifications.models import Notification, Recipient
from classifieds.taxonomy.tests.factories import CategoryFactory

from .factories import moderator_user

pytestmark = pytest.mark.django_db
PHONE = "+998901112299"


@pytest.fixture(autouse=True)
def sms(settings):
    from classifieds.accounts import sms

    settings.SMS_BACKEND = "classifieds.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def post(client, django_capture_on_commit_callbacks, data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(OTP, data)


class TestBanInSignIn:
    def test_a_banned_phone_gets_no_code_and_a_clear_message(self, client, sms, django_capture_on_commit_callbacks):
        seller = UserFactory(phone=PHONE)
        services.seller_ban(seller=seller, moderator=moderator_user(), reason="scam")
        response = post(client, django_capture_on_commit_callbacks, {"action": "send", "phone": "90 111 22 99"})
        assert response.status_code == 200
        assert "заблокирован за нарушение правил Bozor" in response.content.decode()
        assert sms == []

    def test_a_code_sent_before_the_ban_does_not_sign_in(self, client, sms, django_capture_on_commit_callbacks):
        seller = UserFactory(phone=PHONE)
        post(client, django_capture_on_commit_callbacks, {"action": "send", "phone": "90 111 22 99"})
        services.seller_ban(seller=seller, moderator=moderator_user(), reason="scam")
        response = post(client, django_capture_on_commit_callbacks, {"action": "verify", "code": last_code(sms)})
        assert response.status_code == 302 and response["Location"] == "/auth/inactive/"
        assert SESSION_KEY not in client.session

    def test_a_ban_signs_the_seller_out_and_the_unban_lets_them_back(
        self, client, sms, django_capture_on_commit_callbacks
    ):
        seller = UserFactory(phone=PHONE)
        client.force_login(seller)
        assert client.get("/u/listings/").status_code == 200
        moderator = moderator_user()
        services.seller_ban(seller=seller, moderator=moderator, reason="scam")
        assert client.get("/u/listings/").status_code == 302  # the session is no longer theirs
        services.seller_unban(seller=seller, moderator=moderator)
        post(client, django_capture_on_commit_callbacks, {"action": "send", "phone": "90 111 22 99"})
        response = post(client, django_capture_on_commit_callbacks, {"action": "verify", "code": last_code(sms)})
        assert response.status_code == 302 and client.session[SESSION_KEY] == str(seller.pk)

    def test_a_banned_sellers_page_is_gone(self, client):
        seller = UserFactory(phone=PHONE, last_login=None)
        ListingFactory(owner=seller)
        seller.last_login = seller.date_joined
        seller.save()
        assert client.get(f"/u/{seller.pk}/").status_code == 200
        services.seller_ban(seller=seller, moderator=moderator_user(), reason="scam")
        assert client.get(f"/u/{seller.pk}/").status_code == 404


class TestTheSellerIsTold:
    def test_approval_rejection_and_changes_each_tell_the_seller_once(self):
        moderator = moderator_user()
        listing = ListingFactory(status=Status.PENDING, title="Диван угловой")
        services.listing_moderate_request_changes(listing=listing, moderator=moderator, reason="incomplete", note="n1")
        changes = Notification.objects.get(user=listing.owner, kind="listing.changes_requested")
        assert changes.context["reason"] == "В описании не хватает важных подробностей."
        assert changes.context["url"] == f"/post/details/?draft={listing.pk}"
        listing.status = Status.PENDING
        listing.save(update_fields=["status"])
        services.listing_moderate_approve(listing=listing, moderator=moderator)
        assert Notification.objects.filter(user=listing.owner, kind="listing.approved").count() == 1
        services.listing_moderate_reject(listing=listing, moderator=moderator, reason="scam", note="internal note")
        rejected = Notification.objects.get(user=listing.owner, kind="listing.rejected")
        assert "internal note" not in str(rejected.context) and "n1" not in str(changes.context)

    def test_the_notice_is_in_the_sellers_language(self):
        listing = ListingFactory(status=Status.PENDING)
        Recipient.objects.update_or_create(user=listing.owner, defaults={"language": "uz"})
        with translation.override("ru"):
            services.listing_moderate_reject(listing=listing, moderator=moderator_user(), reason="prohibited")
        notice = Notification.objects.get(user=listing.owner, kind="listing.rejected")
        assert notice.context["reason"] == "Bu mahsulot yoki xizmat Bozor’da taqiqlangan."
        assert notice.context["url"].startswith("/uz/")

    def test_a_ban_tells_the_seller(self):
        seller = UserFactory()
        services.seller_ban(seller=seller, moderator=moderator_user(), reason="scam")
        assert Notification.objects.get(user=seller, kind="account.banned").context["reason"]


class TestSamplingAndPrices:
    def test_a_drawn_share_of_published_listings_lands_in_the_sampling_queue(self, client):
        ModerationSettings.objects.update_or_create(pk=1, defaults={"sample_percent": 100})
        from classifieds.listings import services as listings

        listing = ListingFactory(status=Status.DRAFT, published_at=None, expires_at=None)
        listing = listings.listing_submit(listing=listing, actor=None)
        assert listing.status == Status.ACTIVE
        assert Screening.objects.get(listing=listing).sampled
        moderator = moderator_user()
        client.force_login(moderator)
        queue = client.get("/admin/moderation/sampledlisting/")
        assert [row.pk for row in queue.context["cl"].result_list] == [listing.pk]
        services.sample_mark_checked(listing=listing, moderator=moderator)
        queue = client.get("/admin/moderation/sampledlisting/")
        assert list(queue.context["cl"].result_list) == []

    def test_price_statistics_are_median_and_mad_of_active_listings(self):
        category = CategoryFactory()
        for price in (100, 110, 120, 130, 1000):
            ListingFactory(category=category, price=Decimal(price * 1000))
        ListingFactory(category=category, price=Decimal(5), status=Status.SOLD)  # not active: not counted
        assert services.price_stats_refresh() >= 1
        stat = CategoryPriceStat.objects.get(category=category)
        assert (stat.median, stat.mad, stat.sample_size) == (120_000, 10_000, 5)
