"""Both sides of a conversation: writing to a seller (signed in or not), the inbox, the page, polling, receipts."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from classifieds.accounts.models import User
from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.messaging import services
from classifieds.messaging.models import Conversation, Message

from .factories import conversation_with

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def poll(client: Client, conversation: Conversation, after: int, read: int = 0, **extra):
    return client.get(f"/messages/{conversation.pk}/new/?after={after}&read={read}", **extra)


class TestWritingToTheSeller:
    def test_the_listing_page_offers_the_composer_to_a_buyer(self):
        listing = ListingFactory()
        html = signed_in(UserFactory()).get(listing.get_absolute_url()).content.decode()
        assert 'id="write-seller"' in html
        assert f'action="/messages/write/{listing.pk}/send/"' in html

    def test_the_composer_is_hidden_on_ones_own_listing(self):
        listing = ListingFactory()
        html = signed_in(listing.owner).get(listing.get_absolute_url()).content.decode()
        assert 'id="write-seller"' not in html

    def test_a_buyer_posts_and_lands_on_the_conversation(self):
        listing = ListingFactory()
        buyer = UserFactory()
        client = signed_in(buyer)
        response = client.post(f"/messages/write/{listing.pk}/send/", {"body": "Ещё продаётся?"})
        conversation = Conversation.objects.get(listing=listing, buyer=buyer)
        assert response.status_code == 302
        assert response["Location"] == f"/messages/{conversation.pk}/#composer"
        assert conversation.seller == listing.owner
        assert conversation.seller_unread == 1
        assert list(conversation.messages.values_list("body", flat=True)) == ["Ещё продаётся?"]

    def test_a_second_message_continues_the_same_conversation(self):
        listing = ListingFactory()
        client = signed_in(UserFactory())
        client.post(f"/messages/write/{listing.pk}/send/", {"body": "Первое"})
        client.post(f"/messages/write/{listing.pk}/send/", {"body": "Второе"})
        assert Conversation.objects.filter(listing=listing).count() == 1
        assert Message.objects.filter(conversation__listing=listing).count() == 2
        # Once there is a conversation the listing page links to it instead of a new composer.
        html = client.get(listing.get_absolute_url()).content.decode()
        conversation = Conversation.objects.get(listing=listing)
        assert f'href="/messages/{conversation.pk}/"' in html

    def test_a_quick_reply_sends_its_text(self):
        listing = ListingFactory()
        client = signed_in(UserFactory())
        client.post(f"/messages/write/{listing.pk}/send/", {"body": "", "quick": "Ещё актуально?"})
        assert Message.objects.get(conversation__listing=listing).body == "Ещё актуально?"

    def test_an_empty_message_is_a_form_error_not_a_conversation(self):
        listing = ListingFactory()
        response = signed_in(UserFactory()).post(f"/messages/write/{listing.pk}/", {"body": "  "})
        assert response.status_code == 400
        assert 'class="form-error"' in response.content.decode()
        assert not Conversation.objects.exists()

    def test_a_signed_out_visitor_signs_in_and_finds_the_text_kept(self):
        listing = ListingFactory()
        client = Client()
        response = client.post(f"/messages/write/{listing.pk}/send/", {"body": "Отдадите за 100?"})
        assert response.status_code == 302
        assert response["Location"] == f"/auth/otp/?next=/messages/write/{listing.pk}/"
        assert not Conversation.objects.exists()
        buyer = UserFactory()
        client.force_login(buyer)  # what the OTP flow ends with; the session's data survives the sign-in
        composer = client.get(f"/messages/write/{listing.pk}/")
        assert composer.status_code == 200
        assert re.search(r"<textarea[^>]*>\s*Отдадите за 100\?</textarea>", composer.content.decode())
        client.post(f"/messages/write/{listing.pk}/", {"body": "Отдадите за 100?"})
        assert Message.objects.get(conversation__buyer=buyer).body == "Отдадите за 100?"
        assert client.session.get("message_drafts") == {}

    def test_the_composer_page_of_an_existing_conversation_without_a_draft_redirects_to_it(self):
        conversation = conversation_with()
        response = signed_in(conversation.buyer).get(f"/messages/write/{conversation.listing_id}/")
        assert response.status_code == 302
        assert response["Location"] == f"/messages/{conversation.pk}/"

    def test_the_seller_cannot_write_to_themself(self):
        listing = ListingFactory()
        response = signed_in(listing.owner).post(f"/messages/write/{listing.pk}/", {"body": "Привет"})
        assert response.status_code == 400
        assert not Conversation.objects.exists()

    def test_an_unknown_listing_is_404(self):
        assert signed_in(UserFactory()).post("/messages/write/999999/send/", {"body": "x"}).status_code == 404


class TestTheInbox:
    def test_needs_sign_in(self):
        response = Client().get("/messages/")
        assert response.status_code == 302
        assert response["Location"].startswith("/auth/otp/?next=/messages/")

    def test_lists_both_sides_newest_first_with_unread_counts_price_and_the_other_party(self):
        first = conversation_with("Первое", title="Nexia 3 2019")
        second = conversation_with("Второе", title="Cobalt 2021")
        seller_of_first = first.seller
        # The seller of the first listing also buys: their own conversation is newer.
        mine = services.conversation_start(listing=second.listing, buyer=seller_of_first, body="Я тоже интересуюсь")
        html = signed_in(seller_of_first).get("/messages/").content.decode()
        rows = re.findall(r'id="conversation-(\d+)"', html)
        assert rows == [str(mine.pk), str(first.pk)]
        assert "Nexia 3 2019" in html and "Cobalt 2021" in html
        assert "125" in html  # the listing's price
        assert first.buyer.public_name in html
        assert re.search(rf'id="conversation-{first.pk}".*?inbox-count">1<', html, re.S)

    def test_pages_merge_both_sides_newest_first(self, settings):
        settings.MESSAGING_LIMITS = {"conversations_per_hour": 100, "messages_per_minute": 100}
        me = UserFactory()
        started = []
        for n in range(23):
            if n % 3:  # I ask about someone's listing
                started.append(services.conversation_start(listing=ListingFactory(), buyer=me, body=f"#{n}"))
            else:  # someone asks about mine
                started.append(
                    services.conversation_start(listing=ListingFactory(owner=me), buyer=UserFactory(), body=f"#{n}")
                )
        newest_first = [str(c.pk) for c in reversed(started)]
        client = signed_in(me)
        first = re.findall(r'id="conversation-(\d+)"', client.get("/messages/").content.decode())
        second = re.findall(r'id="conversation-(\d+)"', client.get("/messages/?page=2").content.decode())
        assert first == newest_first[:20]
        assert second == newest_first[20:]
        assert Conversation.objects.inbox(me).count() == 23

    def test_a_busy_inbox_costs_the_same_few_queries_on_any_page(self, settings, django_assert_max_num_queries):
        # The count, the unread total for the header, the page's rows (one merge of both sides, then
        # the rows with both parties) and the cards: never a query per row, nor one per side.
        settings.MESSAGING_LIMITS = {"conversations_per_hour": 100, "messages_per_minute": 100}
        me = UserFactory()
        for n in range(22):
            services.conversation_start(listing=ListingFactory(owner=me), buyer=UserFactory(), body=f"#{n}")
        for n in range(3):
            services.conversation_start(listing=ListingFactory(), buyer=me, body=f"Я #{n}")
        client = signed_in(me)
        client.get("/messages/")
        for url in ("/messages/", "/messages/?page=2"):
            with django_assert_max_num_queries(9):
                html = client.get(url).content.decode()
            assert re.search(r'id="messages-link".*?badge-new">22<', html, re.S)  # the header's count, unchanged
        assert len(re.findall(r'id="conversation-(\d+)"', html)) == 5

    def test_a_banned_partys_conversations_are_left_out_of_the_list_the_count_and_the_header(self):
        kept = conversation_with("Остаётся")
        me = kept.seller
        banned_buyer = services.conversation_start(listing=ListingFactory(owner=me), buyer=UserFactory(), body="Скрыто")
        banned_seller = services.conversation_start(listing=ListingFactory(), buyer=me, body="Тоже скрыто")
        services.message_send(conversation=banned_seller, sender=banned_seller.seller, body="Ответ")
        User.objects.filter(pk__in=[banned_buyer.buyer_id, banned_seller.seller_id]).update(banned_at=timezone.now())
        html = signed_in(me).get("/messages/").content.decode()
        assert re.findall(r'id="conversation-(\d+)"', html) == [str(kept.pk)]
        assert re.search(r'id="messages-link".*?badge-new">1<', html, re.S)
        assert Conversation.objects.inbox(me).totals == {"count": 1, "unread": 1}
        assert Conversation.objects.unread_count(me) == 1
        assert [c.pk for c in Conversation.objects.inbox(me)[0:20]] == [kept.pk]

    def test_a_page_past_the_end_is_404(self):
        assert signed_in(UserFactory()).get("/messages/?page=3").status_code == 404

    def test_garbage_page_is_the_first(self):
        assert signed_in(UserFactory()).get("/messages/?page=abc").status_code == 200


class TestTheConversationPage:
    def test_opening_it_marks_it_read_and_the_header_count_drops(self):
        conversation = conversation_with()
        seller = signed_in(conversation.seller)
        home = seller.get("/").content.decode()
        assert re.search(r'id="messages-link".*?badge-new">1<', home, re.S)
        page = seller.get(f"/messages/{conversation.pk}/")
        assert page.status_code == 200
        assert "Здравствуйте, ещё продаётся?" in page.content.decode()
        conversation.refresh_from_db()
        assert conversation.seller_unread == 0
        assert "badge-new" not in seller.get("/").content.decode().split('id="messages-link"')[1].split("</a>")[0]

    def test_a_reply_without_js_redirects_back_and_counts_as_the_sellers_first_reply(self):
        conversation = conversation_with()
        response = signed_in(conversation.seller).post(f"/messages/{conversation.pk}/", {"body": "Да, продаётся"})
        assert response.status_code == 302
        assert response["Location"] == f"/messages/{conversation.pk}/#composer"
        conversation.refresh_from_db()
        assert conversation.first_reply_at is not None
        assert conversation.buyer_unread == 1
        assert conversation.last_message_preview == "Да, продаётся"

    def test_with_htmx_a_send_answers_an_empty_composer_and_asks_the_list_to_poll(self):
        conversation = conversation_with()
        response = signed_in(conversation.seller).post(
            f"/messages/{conversation.pk}/",
            {"body": "Да"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="composer",
        )
        assert response.status_code == 200
        assert json.loads(response["HX-Trigger"]) == {"messages-poll": {}}
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="composer"')
        assert "<html" not in html
        assert "Да</textarea>" not in html

    def test_with_htmx_a_refused_message_comes_back_in_the_composer_with_its_error(self):
        conversation = conversation_with()
        response = signed_in(conversation.seller).post(
            f"/messages/{conversation.pk}/", {"body": ""}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="composer"
        )
        assert response.status_code == 400
        assert response.content.decode().lstrip().startswith('<div id="composer"')
        assert 'class="form-error"' in response.content.decode()

    def test_the_page_polls_for_new_messages_every_few_seconds(self):
        conversation = conversation_with()
        html = signed_in(conversation.buyer).get(f"/messages/{conversation.pk}/").content.decode()
        last = conversation.messages.last()
        assert f'data-hx-get="/messages/{conversation.pk}/new/?after={last.pk}&amp;read=0"' in html
        assert 'data-hx-trigger="every 5s, messages-poll from:body"' in html
        assert " hx-" not in html.split("<main")[1]  # our markup uses the data-hx-* form only

    def test_long_conversations_open_on_the_latest_messages_with_a_link_to_earlier_ones(self):
        conversation = conversation_with("0")
        for n in range(1, 55):
            Message.objects.create(conversation=conversation, sender=conversation.buyer, body=f"msg {n}")
        client = signed_in(conversation.seller)
        html = client.get(f"/messages/{conversation.pk}/").content.decode()
        assert "msg 54" in html and "msg 4<" not in html
        before = re.search(r'href="\?before=(\d+)"', html).group(1)
        earlier = client.get(f"/messages/{conversation.pk}/?before={before}").content.decode()
        assert "msg 4<" in earlier and "msg 54" not in earlier


class TestPolling:
    def test_nothing_new_is_204(self):
        conversation = conversation_with()
        last = conversation.messages.last()
        assert poll(signed_in(conversation.buyer), conversation, last.pk).status_code == 204

    def test_new_messages_come_alone_with_the_next_poll_and_are_read(self):
        conversation = conversation_with()
        last = conversation.messages.last()
        reply = services.message_send(conversation=conversation, sender=conversation.seller, body="Да, продаётся")
        response = poll(signed_in(conversation.buyer), conversation, last.pk)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="message-{reply.pk}"' in html
        assert f'id="message-{last.pk}"' not in html
        assert f"after={reply.pk}" in html
        assert "<html" not in html
        conversation.refresh_from_db()
        assert conversation.buyer_unread == 0

    def test_the_read_receipt_changes_when_the_other_party_reads(self):
        conversation = conversation_with()
        last = conversation.messages.last()
        buyer = signed_in(conversation.buyer)
        page = buyer.get(f"/messages/{conversation.pk}/").content.decode()
        assert re.search(r'<p id="receipt" class="chat-receipt">\s*</p>', page)
        signed_in(conversation.seller).get(f"/messages/{conversation.pk}/")  # the seller reads
        response = poll(buyer, conversation, last.pk, read=0)
        assert response.status_code == 200
        assert 'id="receipt"' in response.content.decode()
        assert 'data-hx-swap-oob="true"' in response.content.decode()
        assert "read=1" in response.content.decode()
        assert poll(buyer, conversation, last.pk, read=1).status_code == 204
        page = buyer.get(f"/messages/{conversation.pk}/").content.decode()
        assert not re.search(r'<p id="receipt" class="chat-receipt">\s*</p>', page)

    @pytest.mark.parametrize("query", ["after=x&read=0", "after=1&read=2", "read=0", "after=-1&read=0"])
    def test_bad_parameters_are_400(self, query):
        conversation = conversation_with()
        assert signed_in(conversation.buyer).get(f"/messages/{conversation.pk}/new/?{query}").status_code == 400


class TestPermissions:
    @pytest.mark.parametrize(
        "url",
        ["/messages/{pk}/", "/messages/{pk}/new/?after=0&read=0", "/messages/{pk}/report/"],
    )
    def test_a_third_user_gets_404_on_every_page(self, url):
        conversation = conversation_with()
        assert signed_in(UserFactory()).get(url.format(pk=conversation.pk)).status_code == 404

    @pytest.mark.parametrize("url", ["/messages/{pk}/", "/messages/{pk}/block/", "/messages/{pk}/report/"])
    def test_a_third_user_cannot_post_either(self, url):
        conversation = conversation_with()
        response = signed_in(UserFactory()).post(url.format(pk=conversation.pk), {"body": "x", "reason": "spam"})
        assert response.status_code == 404
        assert conversation.messages.count() == 1

    def test_a_signed_out_visitor_is_sent_to_sign_in(self):
        conversation = conversation_with()
        response = Client().get(f"/messages/{conversation.pk}/")
        assert response.status_code == 302
        assert response["Location"] == f"/auth/otp/?next=/messages/{conversation.pk}/"

    def test_an_unknown_conversation_is_404(self):
        assert signed_in(UserFactory()).get("/messages/999999/").status_code == 404


class TestReadOnlyWhenTheListingIsGone:
    @pytest.mark.parametrize("status", [Listing.Status.SOLD, Listing.Status.EXPIRED])
    def test_the_conversation_stays_readable_but_takes_no_message(self, status):
        conversation = conversation_with()
        Listing.objects.filter(pk=conversation.listing_id).update(status=status)
        client = signed_in(conversation.seller)
        html = client.get(f"/messages/{conversation.pk}/").content.decode()
        assert "Здравствуйте, ещё продаётся?" in html
        assert f'action="/messages/{conversation.pk}/"' not in html  # no composer
        assert "data-hx-trigger" not in html.split('id="poll"')[1].split(">")[0]
        response = client.post(f"/messages/{conversation.pk}/", {"body": "Продано"})
        assert response.status_code == 403
        assert conversation.messages.count() == 1

    def test_a_sold_listing_offers_no_composer_and_takes_no_new_conversation(self):
        listing = ListingFactory(status=Listing.Status.SOLD)
        client = signed_in(UserFactory())
        assert 'id="write-seller"' not in client.get(listing.get_absolute_url()).content.decode()
        assert client.post(f"/messages/write/{listing.pk}/", {"body": "Ещё есть?"}).status_code == 403
        assert not Conversation.objects.exists()
