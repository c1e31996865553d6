"""The inbox rows and chat messages built in Python: the markup the templates wrote, escaped, per reader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from classifieds.listings.models import Listing
from classifieds.messaging.models import Message

from .factories import conversation_with

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load chat_tags %}" + source).render(Context(context))


class TestChatMessages:
    def test_own_and_other_messages_escaped_with_line_breaks_and_local_time(self, settings):
        settings.TIME_ZONE = "Asia/Tashkent"
        conversation = conversation_with(body="<b>Ещё</b> продаётся?\nСегодня & завтра")
        message = conversation.messages.get()
        message.created_at = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
        html_buyer = render("{% chat_messages rows me %}", rows=[message], me=conversation.buyer_id)
        assert html_buyer == (
            f'<li class="chat-message chat-mine" id="message-{message.pk}">'
            '<p class="chat-body">&lt;b&gt;Ещё&lt;/b&gt; продаётся?<br>Сегодня &amp; завтра</p>'
            '<time class="chat-time" datetime="2026-12-07T14:05:00+05:00">07.12 14:05</time></li>'
        )
        html_seller = render("{% chat_messages rows me %}", rows=[message], me=conversation.seller_id)
        assert 'class="chat-message chat-theirs"' in html_seller

    def test_the_payment_warning_is_for_the_recipient_only_in_their_language(self):
        conversation = conversation_with(body="Переведите предоплату на карту 8600 1234 5678 9012")
        message = conversation.messages.get()
        assert message.risky
        assert "chat-warning" not in render("{% chat_messages rows me %}", rows=[message], me=conversation.buyer_id)
        with translation.override("uz"):
            html = render("{% chat_messages rows me %}", rows=[message], me=conversation.seller_id)
        assert '<p class="chat-warning" role="note">' in html
        assert "Meet, see the item" not in html  # translated, not the English msgid

    def test_a_photo_links_to_itself_with_a_translated_alt(self):
        message = Message(pk=7, sender_id=1, body="", photo="messages/2026/12/a b.jpg", risky=False)
        message.created_at = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
        with translation.override("ru"):
            html = render("{% chat_messages rows me %}", rows=[message], me=2)
        assert '<a class="chat-photo" href="/media/messages/2026/12/a%20b.jpg">' in html
        assert '<img src="/media/messages/2026/12/a%20b.jpg" alt="Фото" loading="lazy">' in html
        assert "chat-body" not in html


class TestInboxRows:
    def test_a_row_with_unread_count_price_party_and_no_photo(self):
        conversation = conversation_with(body="Торг <уместен>?", title="Диван & кресло", price=1500000)
        listing = Listing.objects.cards_in_bulk([conversation.listing_id])[conversation.listing_id]
        row = {"conversation": conversation, "listing": listing, "other": conversation.buyer, "unread": 3}
        with translation.override("ru"):
            html = render("{% inbox_rows rows %}", rows=[row])
        assert html.startswith(
            f'<li class="inbox-row inbox-unread" id="conversation-{conversation.pk}">'
            f'<a class="inbox-link" href="{conversation.get_absolute_url()}">'
            '<span class="inbox-thumb inbox-thumb-none" aria-hidden="true"></span>'
            '<span class="inbox-main"><span class="inbox-title">Диван &amp; кресло</span>'
        )
        assert '<span class="inbox-preview">Торг &lt;уместен&gt;?</span>' in html
        assert f'<span class="inbox-other">{conversation.buyer.public_name}</span>' in html
        assert '<span class="inbox-price">1\u00a0500\u00a0000\u00a0сум</span>' in html
        assert '<span class="badge badge-new inbox-count">3<span class="visually-hidden"> непрочитанных</span>' in html

    def test_a_read_row_has_no_badge(self):
        conversation = conversation_with()
        listing = Listing.objects.cards_in_bulk([conversation.listing_id])[conversation.listing_id]
        row = {"conversation": conversation, "listing": listing, "other": conversation.seller, "unread": 0}
        html = render("{% inbox_rows rows %}", rows=[row])
        assert 'class="inbox-row"' in html
        assert "badge" not in html
