"""The bell in headless chromium: the unread count, the list, "mark all read", with and without JavaScript."""

from __future__ import annotations

import pytest

from classifieds.accounts.tests.browser import sign_in
from classifieds.accounts.tests.factories import UserFactory
from classifieds.notifications.models import Notification
from classifieds.notifications.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_context", [True, False], indirect=True, ids=["js", "no-js"])
def test_the_bell_counts_unread_notices_and_mark_all_read_clears_it(live_server, browser_context):
    seller = UserFactory()
    for pk in (1, 2):
        notify(
            user=seller,
            kind="listing.approved",
            context={"title": f"Cobalt {pk}", "url": "/"},
            subject=f"listing:{pk}",
        )
    sign_in(browser_context, live_server, seller)
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/")
    bell = page.locator(".bell-link")
    assert bell.locator(".badge").inner_text() == "2"

    bell.click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".notification-unread").count() == 2
    assert "Ваше объявление «Cobalt 2» опубликовано" in page.locator(".notification-title").first.inner_text()

    page.get_by_role("button", name="Отметить все как прочитанные").click()
    page.locator(".message", has_text="Все уведомления отмечены как прочитанные.").wait_for()
    assert page.locator(".notification-unread").count() == 0
    assert page.locator(".bell-link .badge").count() == 0
    assert not Notification.objects.filter(user=seller, read_at__isnull=True).exists()
