"""Buyers' reports: the page without JS, the htmx form, dedupe, limits, hiding, resolving and telling."""

from __future__ import annotations

import pytest

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.lifecycle import Status
from classifieds.listings.tests.factories import ListingFactory
from classifieds.moderation import services
from classifieds.moderation.models import ModerationAction, ModerationSettings, Report
from classifieds.notifications.models import Notification

from .factories import moderator_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "report"}


def url(listing) -> str:
    return f"/l/{listing.pk}/report/"


class TestReportPage:
    def test_the_listing_page_links_to_the_report_page_and_shows_trust_signals(self, client):
        listing = ListingFactory()
        ListingFactory(owner=listing.owner)
        body = client.get(listing.get_absolute_url()).content.decode()
        assert f'href="{url(listing)}"' in body and f'data-hx-get="{url(listing)}"' in body
        assert "Телефон подтверждён" in body and "2 активных объявления" in body
        assert "никогда не платите заранее" in body.lower()

    def test_the_uz_listing_page_has_the_safety_tip_in_uzbek(self, client):
        listing = ListingFactory()
        body = client.get(f"/uz{listing.get_absolute_url()}").content.decode()
        assert "oldindan to‘lamang" in body.lower()

    def test_without_js_an_anonymous_buyer_reports_and_is_sent_back(self, client):
        listing = ListingFactory()
        page = client.get(url(listing))
        assert page.status_code == 200 and 'name="reason"' in page.content.decode()
        response = client.post(url(listing), {"reason": "scam", "text": ""})
        assert response.status_code == 302 and response["Location"] == listing.get_absolute_url()
        report = Report.objects.get()
        assert (report.listing, report.seller, report.reporter, report.reason) == (listing, listing.owner, None, "scam")

    def test_with_htmx_the_form_and_the_thanks_swap_in_place(self, client):
        listing = ListingFactory()
        form = client.get(url(listing), **HTMX)
        assert form.content.decode().lstrip().startswith('<div id="report"')
        done = client.post(url(listing), {"reason": "sold"}, **HTMX)
        assert done.status_code == 200 and "report-done" in done.content.decode()
        assert "<html" not in done.content.decode()

    def test_other_needs_a_text_and_a_bad_reason_is_a_form_error(self, client):
        listing = ListingFactory()
        assert client.post(url(listing), {"reason": "other", "text": " "}).status_code == 200
        assert client.post(url(listing), {"reason": "nonsense"}).status_code == 200
        assert not Report.objects.exists()

    def test_a_listing_nobody_may_see_cannot_be_reported(self, client):
        assert client.get(url(ListingFactory(status=Status.PENDING))).status_code == 404
        assert client.get("/l/999999/report/").status_code == 404

    def test_a_seller_is_reported_from_their_page(self, client):
        seller = ListingFactory().owner
        seller.last_login = seller.date_joined
        seller.save()
        assert f'href="/u/{seller.pk}/report/"' in client.get(f"/u/{seller.pk}/").content.decode()
        client.force_login(UserFactory())
        assert client.post(f"/u/{seller.pk}/report/", {"reason": "scam"}).status_code == 302
        assert Report.objects.get().listing is None


class TestDedupeAndLimits:
    def test_one_open_report_per_reporter_per_listing(self, client):
        listing = ListingFactory()
        client.force_login(UserFactory())
        client.post(url(listing), {"reason": "scam"})
        again = client.post(url(listing), {"reason": "duplicate"})
        assert (
            again.status_code == 200 and "already reported" in again.content.decode() or "уже" in again.content.decode()
        )
        assert Report.objects.count() == 1

    def test_anonymous_visitors_are_limited_sooner_than_signed_in_ones(self, client, settings):
        settings.REPORT_LIMITS = {
            "anonymous": {"per_visitor_day": 2, "per_ip_hour": 100},
            "signed_in": {"per_visitor_day": 4, "per_ip_hour": 100},
        }
        listings = ListingFactory.create_batch(5)
        answers = [client.post(url(listing), {"reason": "scam"}).status_code for listing in listings[:3]]
        assert answers == [302, 302, 429]
        client.force_login(UserFactory())
        answers = [client.post(url(listing), {"reason": "scam"}).status_code for listing in listings]
        assert answers == [302, 302, 302, 302, 429]

    def test_the_seller_cannot_report_their_own_listing(self, client):
        listing = ListingFactory()
        client.force_login(listing.owner)
        client.post(url(listing), {"reason": "scam"})
        assert not Report.objects.exists()


class TestHidingAndResolving:
    def _report(self, listing, n: int, reporters=None, start: int = 0):
        for i in range(start, start + n):
            reporter = reporters[i] if reporters else None
            services.report_create(
                seller=listing.owner,
                listing=listing,
                reporter=reporter,
                visitor=services.report_visitor(user=reporter, session_key=f"s{i}"),
                ip=f"10.0.0.{i}",
                reason="scam",
            )

    def test_enough_distinct_reporters_hide_the_listing_until_reviewed(self):
        ModerationSettings.objects.update_or_create(pk=1, defaults={"report_hide_threshold": 3})
        listing = ListingFactory()
        self._report(listing, 2)
        listing.refresh_from_db()
        assert listing.status == Status.ACTIVE
        with pytest.raises(services.ReportDuplicate):
            self._report(listing, 1)  # the same visitor again counts once
        self._report(listing, 1, start=2)
        listing.refresh_from_db()
        assert listing.status == Status.PENDING
        assert ModerationAction.objects.get(listing=listing).kind == "hide_reported"

    def test_resolving_closes_every_report_and_tells_the_reporters(self):
        listing = ListingFactory()
        reporters = [UserFactory(), UserFactory()]
        self._report(listing, 2, reporters)
        services.reports_resolve(listing=listing, moderator=moderator_user())
        assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
        told = Notification.objects.filter(kind="report.resolved")
        assert {n.user_id for n in told} == {r.pk for r in reporters}

    def test_rejecting_a_reported_listing_tells_the_seller_and_the_reporters(self):
        listing = ListingFactory()
        reporter = UserFactory()
        self._report(listing, 1, [reporter])
        services.listing_moderate_reject(listing=listing, moderator=moderator_user(), reason="scam", note="secret")
        seller_notice = Notification.objects.get(user=listing.owner, kind="listing.rejected")
        assert "secret" not in str(seller_notice.context)
        assert Notification.objects.filter(user=reporter, kind="report.resolved").exists()
