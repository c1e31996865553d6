"""The seller's typical reply time on the listing page, and the header's messages link that refreshes itself."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.utils import translation

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.tests.factories import ListingFactory
from classifieds.messaging.models import Conversation
from classifieds.messaging.templatetags.messaging import reply_time_text

from .factories import conversation_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def answered(seller, minutes: int) -> Conversation:
    conversation = conversation_with(owner=seller)
    Conversation.objects.filter(pk=conversation.pk).update(
        first_reply_at=conversation.created_at + timedelta(minutes=minutes)
    )
    return conversation


class TestReplyTime:
    def test_the_median_of_first_replies_once_there_are_enough(self, settings):
        settings.MESSAGING_REPLY_TIME_MIN_SAMPLES = 3
        seller = UserFactory()
        answered(seller, 10)
        answered(seller, 30)
        assert Conversation.objects.reply_time(seller, min_samples=3) is None
        answered(seller, 600)
        conversation_with(owner=seller)  # not answered yet: not a sample
        assert Conversation.objects.reply_time(seller, min_samples=3) == timedelta(minutes=30)

    def test_shown_on_the_listing_page_only_with_data(self, settings):
        settings.MESSAGING_REPLY_TIME_MIN_SAMPLES = 2
        seller = UserFactory()
        listing = ListingFactory(owner=seller)
        assert "seller-reply-time" not in Client().get(listing.get_absolute_url()).content.decode()
        answered(seller, 20)
        answered(seller, 40)
        cache.clear()  # the reply time is cached per seller ...
        caches["volatile"].clear()  # ... and an anonymous page for a few minutes (core.pagecache): a slow figure
        html = Client().get(listing.get_absolute_url()).content.decode()
        assert re.search(r'class="seller-reply-time">[^<]*30', html)

    @pytest.mark.parametrize(
        ("delay", "text"),
        [
            (timedelta(seconds=20), "within 1 minute"),
            (timedelta(minutes=45), "within 45 minutes"),
            (timedelta(minutes=61), "within 2 hours"),
            (timedelta(hours=30), "within 2 days"),
        ],
    )
    def test_rounded_up_in_words(self, delay, text):
        with translation.override("en"):
            assert reply_time_text(delay) == text


class TestTheHeaderLink:
    def test_signed_out_visitors_have_none_and_the_badge_endpoint_answers_nothing(self):
        assert 'id="messages-link"' not in Client().get("/").content.decode()
        assert Client().get("/messages/badge/").status_code == 204

    def test_the_badge_endpoint_returns_only_the_link_with_the_count(self):
        conversation = conversation_with()
        client = Client()
        client.force_login(conversation.seller)
        response = client.get("/messages/badge/", HTTP_HX_REQUEST="true")
        html = response.content.decode().strip()
        assert html.startswith('<a class="account-link messages-link" id="messages-link"')
        assert html.endswith("</a>")
        assert 'badge-new">1<' in html
        assert 'data-hx-trigger="every 60s"' in html
