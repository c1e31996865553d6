"""Recording events: once per visitor per day, never for bots, never a database query."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classifieds.analytics.events import VISITOR_COOKIE, is_bot, record, record_many
from classifieds.analytics.models import DailyCount, EventKind
from classifieds.analytics.services import analytics_flush

from .helpers import BROWSER, counted, visitor_request

pytestmark = [pytest.mark.django_db]

K = EventKind


@pytest.mark.usefixtures("buffer_store")
class TestDedupe:
    def test_a_visitor_counts_once_a_day_per_listing_and_kind(self):
        request = visitor_request()
        assert record(request, kind=K.VIEW, listing_id=5) is True
        assert record(visitor_request(), kind=K.VIEW, listing_id=5) is False  # same address + browser
        assert record(request, kind=K.VIEW, listing_id=6) is True
        assert record(request, kind=K.PHONE_REVEAL, listing_id=5) is True
        analytics_flush(settle=False)
        assert (counted(K.VIEW, 5), counted(K.VIEW, 6), counted(K.PHONE_REVEAL, 5)) == (1, 1, 1)

    def test_other_visitors_count_and_the_next_day_counts_again(self):
        record(visitor_request("10.0.0.1"), kind=K.VIEW, listing_id=5)
        record(visitor_request("10.0.0.2"), kind=K.VIEW, listing_id=5)
        with time_machine.travel(timezone.now() + timedelta(days=1)):
            record(visitor_request("10.0.0.1"), kind=K.VIEW, listing_id=5)
        analytics_flush(settle=False)
        assert counted(K.VIEW, 5) == 3
        assert sorted(DailyCount.objects.values_list("count", flat=True)) == [1, 2]  # one row a day

    def test_a_page_of_impressions_counts_each_card_once(self):
        request = visitor_request()
        assert record_many(request, kind=K.IMPRESSION, listing_ids=[1, 2, 3, 2]) == 3
        assert record_many(visitor_request(), kind=K.IMPRESSION, listing_ids=[3, 4]) == 1
        analytics_flush(settle=False)
        assert [counted(K.IMPRESSION, i) for i in (1, 2, 3, 4)] == [1, 1, 1, 1]

    def test_the_signed_cookie_is_the_visitor_and_a_forged_one_is_ignored(self, client):
        first = visitor_request("10.0.0.1")
        record(first, kind=K.VIEW, listing_id=9)
        cookie = first._analytics_new_visitor
        signed = signing.get_cookie_signer(salt="analytics.visitor").sign(cookie)
        moved = visitor_request("10.9.9.9", **{VISITOR_COOKIE: signed})  # same person, another network
        assert record(moved, kind=K.VIEW, listing_id=9) is False
        forged = visitor_request("10.9.9.9", **{VISITOR_COOKIE: cookie + ":forged"})
        assert record(forged, kind=K.VIEW, listing_id=9) is True

    def test_subjects_are_counted_apart(self):
        request = visitor_request()
        record_many(request, kind=K.FILTER_CHANGE, subjects=["price", "attrs.make", "price"])
        record(request, kind=K.SEARCH_NO_RESULTS, subject="  iphone   17 ")
        analytics_flush(settle=False)
        assert counted(K.FILTER_CHANGE, subject="price") == 1
        assert counted(K.FILTER_CHANGE, subject="attrs.make") == 1
        assert counted(K.SEARCH_NO_RESULTS, subject="iphone 17") == 1


class TestBots:
    @pytest.mark.parametrize(
        "agent",
        [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "TelegramBot (like TwitterBot)",
            "curl/8.5.0",
            "python-requests/2.32.3",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
            "",
        ],
    )
    def test_a_known_bot_is_not_counted(self, agent):
        request = visitor_request(agent=agent)
        assert is_bot(request)
        assert record(request, kind=K.VIEW, listing_id=5) is False
        analytics_flush(settle=False)
        assert counted(K.VIEW, 5) == 0

    @pytest.mark.parametrize(
        "agent",
        [
            BROWSER,
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 "
            "YaBrowser/24.4 Safari/537.36",
        ],
    )
    def test_a_browser_is_counted(self, agent):
        assert record(visitor_request(agent=agent), kind=K.VIEW, listing_id=5) is True


class TestRequestPath:
    def test_recording_runs_no_query(self):
        request = visitor_request()
        with CaptureQueriesContext(connection) as captured:
            record_many(request, kind=K.IMPRESSION, listing_ids=range(1, 41))
            record(request, kind=K.VIEW, listing_id=1)
        assert captured.captured_queries == []

    def test_an_unknown_kind_is_a_programming_error(self):
        with pytest.raises(ValueError):
            record(visitor_request(), kind="clicked_everything", listing_id=1)

    def test_nothing_is_counted_when_switched_off(self, settings):
        settings.ANALYTICS_ENABLED = False
        assert record(visitor_request(), kind=K.VIEW, listing_id=1) is False
