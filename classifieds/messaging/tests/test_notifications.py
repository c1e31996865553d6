"""A new message tells the recipient (on the site; by email after a delay, only if still unread)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.tests.factories import ListingFactory
from classifieds.messaging import services
from classifieds.notifications.delivery import delivery_send
from classifieds.notifications.models import Delivery, Notification
from classifieds.notifications.tests.factories import user_with_email

pytestmark = pytest.mark.django_db


def start(seller=None, body: str = "Ещё продаётся?"):
    listing = ListingFactory(owner=seller or user_with_email(), title="Chevrolet Cobalt 2021")
    buyer = UserFactory(display_name="Бахтиёр")
    return services.conversation_start(listing=listing, buyer=buyer, body=body)


class TestMessageNotices:
    def test_the_recipient_gets_one_notice_per_conversation_the_sender_none(self):
        conversation = start()
        services.message_send(conversation=conversation, sender=conversation.buyer, body="Алло?")
        notice = Notification.objects.get()
        assert notice.user == conversation.seller
        assert notice.kind == "message.new"
        assert notice.subject == f"conversation:{conversation.pk}"
        assert notice.context["title"] == "Chevrolet Cobalt 2021"
        assert notice.context["sender"] == "Бахтиёр"
        assert notice.context["preview"] == "Ещё продаётся?"
        assert notice.context["url"] == f"/messages/{conversation.pk}/"
        assert not Notification.objects.filter(user=conversation.buyer).exists()

    def test_a_reply_tells_the_buyer(self):
        conversation = start()
        services.message_send(conversation=conversation, sender=conversation.seller, body="Да")
        assert Notification.objects.filter(user=conversation.buyer, kind="message.new").count() == 1

    def test_reading_the_conversation_marks_the_notice_read_and_the_delayed_email_is_not_sent(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            conversation = start()
        delivery = Delivery.objects.get(notification__user=conversation.seller, channel="email")
        client = Client()
        client.force_login(conversation.seller)
        client.get(f"/messages/{conversation.pk}/")
        assert Notification.objects.get(user=conversation.seller).read_at is not None
        assert delivery_send(delivery_id=delivery.pk) is False
        assert mail.outbox == []

    def test_an_unread_message_is_emailed_when_the_delay_is_over(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            conversation = start()
        delivery = Delivery.objects.get(notification__user=conversation.seller, channel="email")
        assert delivery_send(delivery_id=delivery.pk) is True
        assert len(mail.outbox) == 1
        assert "Chevrolet Cobalt 2021" in mail.outbox[0].subject
