"""The seller's statistics page: the chart and its table show exactly the events recorded; a promotion's effect."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.analytics.events import record, record_many
from classifieds.analytics.models import DailyCount, EventKind
from classifieds.analytics.services import analytics_flush
from classifieds.analytics.tests.helpers import visitor_request
from classifieds.listings.tests.factories import ListingFactory
from classifieds.promotions.models import Promotion
from classifieds.seo.tests.test_html_validity import html_errors

pytestmark = [pytest.mark.django_db]

K = EventKind
NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)


def statistics_url(listing) -> str:
    return f"/u/listings/{listing.pk}/statistics/"


def events(listing, *, days_ago: int, impressions: int = 0, views: int = 0, reveals: int = 0, favorites: int = 0):
    """Different visitors looking at ``listing`` on one day, through the recorder."""
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        for n in range(impressions):
            visitor = visitor_request(f"10.0.{days_ago}.{n}")
            record_many(visitor, kind=K.IMPRESSION, listing_ids=[listing.pk])
            if n < views:
                record(visitor, kind=K.VIEW, listing_id=listing.pk)
            if n < reveals:
                record(visitor, kind=K.PHONE_REVEAL, listing_id=listing.pk)
            if n < favorites:
                record(visitor, kind=K.FAVORITE, listing_id=listing.pk)
    analytics_flush(settle=False)


def table_rows(html: str) -> dict[str, list[int]]:
    table = re.search(r'<details class="stats-table">.*?</details>', html, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>\d+</td>)+)</tr>', table)
    return {day: [int(v) for v in re.findall(r"<td>(\d+)</td>", cells)] for day, cells in rows}


@pytest.fixture
def seller_listing(client):
    seller = UserFactory()
    client.force_login(seller)
    return ListingFactory(owner=seller, title="Damas 2019")


class TestStatisticsPage:
    def test_the_table_and_totals_match_the_recorded_events(self, client, seller_listing):
        listing = seller_listing
        events(listing, days_ago=3, impressions=10, views=4, reveals=1, favorites=2)
        events(listing, days_ago=0, impressions=5, views=5, reveals=2)
        events(listing, days_ago=31, impressions=7, views=7)  # outside the 30 days
        events(ListingFactory(), days_ago=0, impressions=9)  # another listing
        with time_machine.travel(NOW, tick=False):
            response = client.get(statistics_url(listing))
        assert response.status_code == 200
        html = response.content.decode()
        rows = table_rows(html)
        assert len(rows) == 30
        values = list(rows.values())
        assert values[-1] == [5, 5, 2, 0, 0]  # today: impressions, views, reveals, favorites, messages
        assert values[-4] == [10, 4, 1, 2, 0]
        assert sum(sum(v) for v in values) == 15 + 9 + 3 + 2
        totals = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
        assert (totals["Показы"], totals["Просмотры"], totals["Показы телефона"]) == ("15", "9", "3")
        assert totals["Просмотры на показ"] == "60,0&nbsp;%"  # 9 / 15
        assert totals["Показы телефона на просмотр"] == "33,3&nbsp;%"  # 3 / 9

    def test_the_svg_lines_follow_the_numbers(self, client, seller_listing):
        events(seller_listing, days_ago=0, impressions=5, views=2)
        with time_machine.travel(NOW, tick=False):
            html = client.get(statistics_url(seller_listing)).content.decode()
        assert '<svg viewBox="0 0 640 240" role="img" aria-labelledby="chart-title"' in html
        lines = dict(re.findall(r'<polyline class="chart-line chart-line--([a-z-]+)" points="([^"]+)"', html))
        last = {kind: float(points.split()[-1].split(",")[1]) for kind, points in lines.items()}
        # y axis 0..5 over the plot (y 210 … 10): 5 impressions at the top, 2 views at 2/5, 0 reveals at the bottom
        assert (last["impression"], last["view"], last["phone-reveal"]) == (10.0, 130.0, 210.0)
        assert all(float(p.split(",")[1]) == 210.0 for p in lines["impression"].split()[:-1])

    def test_a_promotion_is_compared_with_as_many_days_before(self, client, seller_listing):
        listing = seller_listing
        for day in range(6, 3, -1):  # 3 days before: 2 views a day
            events(listing, days_ago=day, impressions=2, views=2)
        for day in range(3, 0, -1):  # 3 days of TOP: 6 views a day
            events(listing, days_ago=day, impressions=6, views=6)
        Promotion.objects.create(
            listing=listing, type="top", starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=1)
        )
        with time_machine.travel(NOW, tick=False):
            html = client.get(statistics_url(listing)).content.decode()
        effect = re.search(r'<table class="stats-effect">.*?</table>', html, re.S).group(0)
        views = re.search(r"<th scope=\"row\">Просмотры</th><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", effect)
        assert views.groups() == ("2,0", "6,0", "+200&nbsp;%")

    def test_without_a_promotion_it_offers_one(self, client, seller_listing):
        html = client.get(statistics_url(seller_listing)).content.decode()
        assert f'href="/u/promote/{seller_listing.pk}/"' in html
        assert DailyCount.objects.count() == 0

    def test_the_dashboard_links_to_it(self, client, seller_listing):
        assert f'href="{statistics_url(seller_listing)}"' in client.get("/u/listings/").content.decode()

    def test_another_sellers_listing_is_a_404_and_a_guest_signs_in(self, client, seller_listing):
        other = ListingFactory()
        assert client.get(statistics_url(other)).status_code == 404
        client.logout()
        assert client.get(statistics_url(seller_listing)).status_code == 302

    def test_the_page_is_valid_html(self, client, seller_listing, tmp_path):
        events(seller_listing, days_ago=2, impressions=3, views=1)
        Promotion.objects.create(
            listing=seller_listing, type="top", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=6)
        )
        with time_machine.travel(NOW, tick=False):
            html = client.get(statistics_url(seller_listing)).content
        assert html_errors({"statistics": html}, tmp_path) == []

    def test_it_is_in_uzbek_too(self, client, seller_listing):
        html = client.get(f"/uz{statistics_url(seller_listing)}").content.decode()
        assert "Statistika" in html
