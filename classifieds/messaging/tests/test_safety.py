"""Safety: payment-detail warnings, blocking, reports in Admin, rate limits, banned users, photos."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.tests.factories import ListingFactory
from classifieds.messaging import services
from classifieds.messaging.models import Block, Conversation, ConversationReport, Message
from classifieds.messaging.safety import has_card, has_payment_link, has_phone, is_risky

from .factories import conversation_with

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestDetection:
    @pytest.mark.parametrize(
        "text",
        ["Звоните 90 123 45 67", "+998901234567", "мой номер (93) 555-12-34", "Tel: +7 912 345-67-89"],
    )
    def test_phone_numbers(self, text):
        assert has_phone(text)

    @pytest.mark.parametrize(
        "text",
        ["4111 1111 1111 1111", "карта 5555-5555-5555-4444", "8600 1234 5678 9012", "9860123456789012"],
    )
    def test_card_numbers(self, text):
        assert has_card(text)

    @pytest.mark.parametrize(
        "text", ["оплата тут https://olx-delivery.site/pay/123", "payme.uz/checkout/abc", "www.click-dostavka.top"]
    )
    def test_payment_links(self, text):
        assert has_payment_link(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Да, ещё продаётся",
            "Цена 125 000 000 сум, торг",
            "Готов за 120000000",
            "Пробег 145000 км, 2019 год",
            "видео тут https://youtube.com/watch?v=abc",
            "",
        ],
    )
    def test_ordinary_messages_are_not_flagged(self, text):
        assert not is_risky(text)


class TestTheWarning:
    def test_the_recipient_is_warned_never_to_pay_in_advance_the_sender_is_not(self):
        conversation = conversation_with("Переведите предоплату на карту 4111 1111 1111 1111")
        message = conversation.messages.get()
        assert message.risky
        seller_html = signed_in(conversation.seller).get(f"/messages/{conversation.pk}/").content.decode()
        buyer_html = signed_in(conversation.buyer).get(f"/messages/{conversation.pk}/").content.decode()
        assert 'class="chat-warning"' in seller_html
        assert 'class="chat-warning"' not in buyer_html

    def test_a_plain_message_carries_no_warning(self):
        conversation = conversation_with("Добрый день, ещё актуально?")
        html = signed_in(conversation.seller).get(f"/messages/{conversation.pk}/").content.decode()
        assert 'class="chat-warning"' not in html


class TestBlocking:
    def test_a_blocked_buyer_cannot_send_and_the_page_says_so(self):
        conversation = conversation_with()
        seller, buyer = signed_in(conversation.seller), signed_in(conversation.buyer)
        response = seller.post(f"/messages/{conversation.pk}/block/")
        assert response.status_code == 302
        assert Block.objects.filter(blocker=conversation.seller, blocked=conversation.buyer).exists()
        html = buyer.get(f"/messages/{conversation.pk}/").content.decode()
        assert f'action="/messages/{conversation.pk}/"' not in html  # no composer
        assert 'class="notice"' in html
        assert buyer.post(f"/messages/{conversation.pk}/", {"body": "Ау?"}).status_code == 403
        assert conversation.messages.count() == 1

    def test_the_blocker_cannot_write_either_until_unblocking(self):
        conversation = conversation_with()
        seller = signed_in(conversation.seller)
        seller.post(f"/messages/{conversation.pk}/block/")
        assert seller.post(f"/messages/{conversation.pk}/", {"body": "Да"}).status_code == 403
        seller.post(f"/messages/{conversation.pk}/block/", {"action": "unblock"})
        assert not Block.objects.exists()
        assert seller.post(f"/messages/{conversation.pk}/", {"body": "Да"}).status_code == 302
        assert conversation.messages.count() == 2

    def test_a_blocked_buyer_cannot_start_a_conversation_about_another_listing_of_the_seller(self):
        conversation = conversation_with()
        services.user_block(blocker=conversation.seller, blocked=conversation.buyer)
        other = ListingFactory(owner=conversation.seller)
        response = signed_in(conversation.buyer).post(f"/messages/write/{other.pk}/", {"body": "А это?"})
        assert response.status_code == 403
        assert not Conversation.objects.filter(listing=other).exists()

    def test_blocking_needs_post(self):
        conversation = conversation_with()
        assert signed_in(conversation.seller).get(f"/messages/{conversation.pk}/block/").status_code == 405


class TestReports:
    def test_a_party_reports_with_a_reason_and_staff_see_it_read_only_in_admin(self):
        conversation = conversation_with("Оплатите доставку: payme.uz/pay/1")
        client = signed_in(conversation.seller)
        assert client.get(f"/messages/{conversation.pk}/report/").status_code == 200
        response = client.post(f"/messages/{conversation.pk}/report/", {"reason": "fraud", "comment": "Мошенник"})
        assert response.status_code == 302
        report = ConversationReport.objects.get()
        assert (report.reporter, report.reason, report.comment) == (conversation.seller, "fraud", "Мошенник")

        quiet = conversation_with("Просто вопрос")
        staff = UserFactory(is_staff=True, is_superuser=True)
        admin = signed_in(staff)
        changelist = admin.get("/admin/messaging/conversation/").content.decode()
        assert f"/admin/messaging/conversation/{conversation.pk}/change/" in changelist
        assert f"/admin/messaging/conversation/{quiet.pk}/change/" not in changelist
        detail = admin.get(f"/admin/messaging/conversation/{conversation.pk}/change/")
        assert detail.status_code == 200
        assert "payme.uz/pay/1" in detail.content.decode()
        assert 'name="_save"' not in detail.content.decode()
        assert admin.get(f"/admin/messaging/conversation/{quiet.pk}/change/").status_code == 302  # not listed
        reports = admin.get("/admin/messaging/conversationreport/")
        assert reports.status_code == 200
        # The report names what the conversation is about and links to its messages.
        link = f'<a href="/admin/messaging/conversation/{conversation.pk}/change/">#{conversation.pk} · '
        assert link + f"{conversation.listing.title}</a>" in reports.content.decode()
        report_page = admin.get(f"/admin/messaging/conversationreport/{report.pk}/change/").content.decode()
        assert link in report_page

    def test_a_report_without_a_reason_is_a_form_error(self):
        conversation = conversation_with()
        response = signed_in(conversation.buyer).post(f"/messages/{conversation.pk}/report/", {"reason": "nonsense"})
        assert response.status_code == 400
        assert not ConversationReport.objects.exists()


class TestRateLimits:
    @pytest.fixture(autouse=True)
    def _start_of_a_window(self):
        # The limits count in fixed windows (a minute, an hour): start just after one begins.
        with time_machine.travel(datetime(2026, 12, 7, 10, 0, 1, tzinfo=UTC), tick=True):
            yield

    def test_new_conversations_per_hour(self, settings):
        settings.MESSAGING_LIMITS = {"conversations_per_hour": 2, "messages_per_minute": 100}
        listings = [ListingFactory() for _ in range(3)]
        client = signed_in(UserFactory())
        for listing in listings[:2]:
            assert client.post(f"/messages/write/{listing.pk}/", {"body": "Привет"}).status_code == 302
        response = client.post(f"/messages/write/{listings[2].pk}/", {"body": "Привет"})
        assert response.status_code == 429
        assert 'class="form-error"' in response.content.decode()
        assert Conversation.objects.count() == 2
        # Continuing an existing conversation is not a new one.
        assert client.post(f"/messages/write/{listings[0].pk}/", {"body": "Ещё"}).status_code == 302

    def test_messages_per_minute(self, settings):
        settings.MESSAGING_LIMITS = {"conversations_per_hour": 10, "messages_per_minute": 3}
        conversation = conversation_with()  # the buyer's first message: one of three
        client = signed_in(conversation.buyer)
        for n in range(2):
            assert client.post(f"/messages/{conversation.pk}/", {"body": f"{n}"}).status_code == 302
        response = client.post(f"/messages/{conversation.pk}/", {"body": "ещё"})
        assert response.status_code == 429
        assert conversation.messages.count() == 3
        # The other party has a limit of their own.
        assert signed_in(conversation.seller).post(f"/messages/{conversation.pk}/", {"body": "Да"}).status_code == 302


class TestBannedUsers:
    def test_a_banned_user_cannot_write(self):
        conversation = conversation_with()
        buyer = conversation.buyer
        buyer.banned_at = timezone.now()  # the moderation app's field; the service reads it whenever present
        with pytest.raises(services.MessagingError):
            services.message_send(conversation=conversation, sender=buyer, body="Ещё раз")
        with pytest.raises(services.MessagingError):
            services.conversation_start(listing=ListingFactory(), buyer=buyer, body="Здравствуйте")


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), "teal")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (41.0, 18.0, 0.0)}  # GPSInfo: latitude of Tashkent
    exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class TestPhotos:
    def test_a_photo_goes_through_the_pipeline_resized_and_without_metadata(self):
        conversation = conversation_with()
        upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
        response = signed_in(conversation.seller).post(f"/messages/{conversation.pk}/", {"body": "", "photo": upload})
        assert response.status_code == 302
        message = Message.objects.exclude(photo="").get()
        assert message.photo.name.endswith(".jpg") and "IMG_0001" not in message.photo.name
        with message.photo.open("rb") as stream:
            stored = Image.open(stream)
            stored.load()
        assert max(stored.size) == services.PHOTO_MAX_SIDE
        assert not stored.getexif()
        conversation.refresh_from_db()
        assert conversation.last_message_preview == "📷"
        html = signed_in(conversation.buyer).get(f"/messages/{conversation.pk}/").content.decode()
        assert re.search(r'class="chat-photo" href="[^"]+\.jpg"', html)

    def test_a_file_that_is_not_a_photo_is_a_form_error(self):
        conversation = conversation_with()
        upload = SimpleUploadedFile("virus.jpg", b"MZ not an image", content_type="image/jpeg")
        response = signed_in(conversation.seller).post(f"/messages/{conversation.pk}/", {"body": "", "photo": upload})
        assert response.status_code == 400
        assert 'class="form-error"' in response.content.decode()
        assert conversation.messages.count() == 1
