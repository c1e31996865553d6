"""The bell, the list page, opening a notice, "mark all read", preferences and one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from classifieds.accounts.tests.factories import UserFactory
from classifieds.notifications.models import Notification, Preference, Recipient
from classifieds.notifications.services import notify
from classifieds.notifications.tokens import unsubscribe_token

from .factories import user_with_email

pytestmark = [pytest.mark.django_db]


def tell(user, subject="listing:5", url="/l/5-cobalt/", kind="listing.approved"):
    return notify(user=user, kind=kind, context={"title": f"Cobalt {subject}", "url": url}, subject=subject)


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


class TestBell:
    def test_the_header_shows_the_unread_count(self, client, user):
        tell(user, "listing:1")
        tell(user, "listing:2")
        html = client.get(reverse("web:home")).content.decode()
        assert re.search(r'class="account-link bell-link"[^>]*>.*?<span class="badge badge-new"[^>]*>2</span>', html)

    def test_no_badge_without_unread_notices(self, client, user):
        notice = tell(user)
        Notification.objects.filter(pk=notice.pk).update(read_at=notice.created_at)
        html = client.get(reverse("web:home")).content.decode()
        assert 'href="/notifications/"' in html
        assert "badge-new" not in html.split("bell-link", 1)[1].split("</a>", 1)[0]

    def test_visitors_have_no_bell(self, client):
        assert "bell-link" not in client.get(reverse("web:home")).content.decode()


class TestList:
    def test_it_lists_newest_first_with_links(self, client, user):
        first = tell(user, "listing:1")
        second = tell(user, "listing:2")
        UserFactory()  # another user's notices are not shown
        tell(UserFactory(), "listing:3")
        response = client.get(reverse("notifications:list"))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("Cobalt listing:2") < html.index("Cobalt listing:1")
        assert reverse("notifications:open", args=[first.pk]) in html
        assert reverse("notifications:open", args=[second.pk]) in html
        assert "Cobalt listing:3" not in html

    def test_htmx_gets_only_the_list(self, client, user):
        tell(user)
        response = client.get(
            reverse("notifications:list"), headers={"HX-Request": "true", "HX-Target": "notification-list"}
        )
        html = response.content.decode()
        assert 'id="notification-list"' in html
        assert "<html" not in html

    def test_it_needs_sign_in(self, client):
        response = client.get(reverse("notifications:list"))
        assert response.status_code == 302
        assert "/auth/otp/" in response["Location"]

    def test_reading_in_uzbek_makes_notices_uzbek(self, client, user):
        client.get("/uz/notifications/")
        assert Recipient.objects.get(user=user).language == "uz"
        assert tell(user).language == "uz"

    def test_a_bad_page_number_is_not_a_500(self, client, user):
        assert client.get(reverse("notifications:list") + "?page=abc").status_code == 200
        assert client.get(reverse("notifications:list") + "?page=99").status_code == 404


class TestOpen:
    def test_opening_marks_read_and_goes_to_the_link(self, client, user):
        notice = tell(user)
        response = client.get(reverse("notifications:open", args=[notice.pk]))
        assert response.status_code == 302
        assert response["Location"] == "/l/5-cobalt/"
        notice.refresh_from_db()
        assert notice.read_at is not None

    def test_an_offsite_link_goes_to_the_list(self, client, user):
        notice = tell(user, url="https://evil.example/phish")
        response = client.get(reverse("notifications:open", args=[notice.pk]))
        assert response["Location"] == reverse("notifications:list")

    def test_another_users_notice_is_404(self, client, user):
        notice = tell(UserFactory())
        assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
        notice.refresh_from_db()
        assert notice.read_at is None


class TestMarkAllRead:
    def test_a_plain_post_marks_all_read_and_redirects(self, client, user):
        tell(user, "listing:1")
        tell(user, "listing:2")
        other = tell(UserFactory(), "listing:1")
        response = client.post(reverse("notifications:mark_all_read"))
        assert response.status_code == 302
        assert not Notification.objects.of(user).unread().exists()
        other.refresh_from_db()
        assert other.read_at is None

    def test_htmx_post_is_redirected_in_place(self, client, user):
        tell(user)
        response = client.post(reverse("notifications:mark_all_read"), headers={"HX-Request": "true"})
        assert response.headers.get("HX-Redirect") == reverse("notifications:list")

    def test_get_is_refused(self, client, user):
        assert client.get(reverse("notifications:mark_all_read")).status_code == 405


class TestPreferences:
    def test_the_form_is_on_the_profile_page(self, client, user):
        html = client.get(reverse("accounts:profile")).content.decode()
        assert 'id="notification-settings"' in html
        assert 'name="favorite__price_drop__email"' in html
        assert f'action="{reverse("notifications:preferences")}"' in html

    def test_switching_a_kind_off_stops_its_email(self, client, django_capture_on_commit_callbacks):
        user = user_with_email()
        client.force_login(user)
        data = {"language": "ru", "listing__approved__email": "on"}  # every other kind unticked
        response = client.post(reverse("notifications:preferences"), data)
        assert response.status_code == 302
        assert Preference.objects.get(user=user, kind="favorite.price_drop", channel="email").enabled is False
        assert Preference.objects.get(user=user, kind="listing.approved", channel="email").enabled is True
        with django_capture_on_commit_callbacks(execute=True):
            tell(user, kind="favorite.price_drop")
            tell(user, kind="listing.approved")
        assert len(mail.outbox) == 1
        assert Notification.objects.of(user).count() == 2  # on-site stays

    def test_the_language_is_saved(self, client, user):
        client.post(reverse("notifications:preferences"), {"language": "uz"})
        assert Recipient.objects.get(user=user).language == "uz"

    def test_a_bad_language_is_a_form_error(self, client, user):
        response = client.post(reverse("notifications:preferences"), {"language": "xx"})
        assert response.status_code == 302
        assert not Recipient.objects.filter(user=user).exists()


class TestUnsubscribe:
    def test_every_email_has_a_working_one_click_unsubscribe(self, client, django_capture_on_commit_callbacks):
        user = user_with_email()
        with django_capture_on_commit_callbacks(execute=True):
            tell(user, kind="favorite.price_drop")
        message = mail.outbox[0]
        header = message.extra_headers["List-Unsubscribe"]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        path = re.search(r"<https?://[^/]+(/[^>]+)>", header).group(1)
        assert path in message.body
        assert client.get(path).status_code == 200  # GET only asks
        assert not Preference.objects.exists()
        response = client.post(path, {"List-Unsubscribe": "One-Click"})  # what mail providers send, no CSRF
        assert response.status_code == 200
        assert Preference.objects.get(user=user, kind="favorite.price_drop", channel="email").enabled is False
        with django_capture_on_commit_callbacks(execute=True):
            tell(user, kind="favorite.price_drop", subject="listing:9")
            tell(user, kind="listing.approved", subject="listing:9")
        assert len(mail.outbox) == 2  # the other kind still comes

    def test_a_tampered_token_is_400(self, client):
        token = unsubscribe_token(user_id=1, kind="favorite.price_drop") + "x"
        assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 400

    def test_an_unknown_kind_is_400(self, client):
        token = unsubscribe_token(user_id=1, kind="no.such")
        assert client.get(reverse("notifications:unsubscribe", args=[token])).status_code == 400


def test_the_list_dates_each_notice_to_the_second_as_html_allows(client, user):
    """``<time datetime>`` takes no microseconds; ``created_at`` has them."""
    notice = tell(user)
    Notification.objects.filter(pk=notice.pk).update(created_at=notice.created_at.replace(microsecond=558297))
    html = client.get(reverse("notifications:list")).content.decode()
    (value,) = re.findall(r'<time class="notification-time" datetime="([^"]+)"', html)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value
