"""A buyer writes to a seller, the seller answers without reloading, and each sees the other's messages arrive."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.accounts.tests.browser import sign_in
from classifieds.accounts.tests.factories import UserFactory
from classifieds.conftest import watch_for_csp_violations
from classifieds.listings.tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_polling(settings):
    settings.MESSAGING_POLL_SECONDS = 1
    settings.MESSAGING_BADGE_POLL_SECONDS = 1
    yield
    cache.clear()


def stays(page) -> None:
    """Mark the document: if it is still marked later, nothing reloaded or navigated."""
    page.evaluate("window.__stayed = 'yes'")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed") == "yes"


def test_a_conversation_goes_back_and_forth_without_reloads(live_server, browser, csp_violations):
    listing = ListingFactory(title="Chevrolet Gentra 2021")
    buyer_user, seller_user = UserFactory(display_name="Бахтиёр"), listing.owner
    buyer_context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    seller_context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    watch_for_csp_violations(buyer_context, csp_violations)
    watch_for_csp_violations(seller_context, csp_violations)
    sign_in(buyer_context, live_server, buyer_user)
    sign_in(seller_context, live_server, seller_user)
    buyer, seller = buyer_context.new_page(), seller_context.new_page()
    try:
        # The buyer writes from the listing's page and lands on the conversation.
        buyer.goto(f"{live_server.url}{listing.get_absolute_url()}")
        buyer.fill("#write-body", "Здравствуйте! Ещё продаётся?")
        buyer.locator("#write-seller button[type=submit]", has_text="Отправить").click()
        buyer.wait_for_url("**/messages/*/#composer")
        assert "Здравствуйте! Ещё продаётся?" in buyer.locator("#chat").inner_text()

        # The seller sees one unread message in the header and in the inbox, opens it.
        seller.goto(f"{live_server.url}/messages/")
        assert seller.locator("#messages-link .badge-new").inner_text().startswith("1")
        seller.locator(".inbox-row a").first.click()
        seller.wait_for_load_state("load")  # htmx (deferred) has run: no string eval under our CSP
        assert seller.locator("#messages-link .badge-new").count() == 0

        # The buyer goes elsewhere; their header has nothing unread.
        buyer.goto(f"{live_server.url}/")
        buyer.wait_for_load_state("load")  # htmx (deferred) has run: no string eval under our CSP
        assert buyer.locator("#messages-link .badge-new").count() == 0
        stays(buyer)

        # The seller answers in place: no reload, the message shows in the list.
        stays(seller)
        seller.fill("#composer textarea", "Да, продаётся. Приезжайте вечером.")
        seller.locator("#composer button", has_text="Отправить").click()
        seller.locator(".chat-mine", has_text="Приезжайте вечером").wait_for()
        assert seller.locator("#composer textarea").input_value() == ""
        assert stayed(seller)

        # The buyer's header count changes without a reload.
        buyer.locator("#messages-link .badge-new", has_text="1").wait_for(timeout=10_000)
        assert stayed(buyer)

        # The buyer opens the conversation and answers with a quick reply; the seller's open page receives it.
        buyer.locator("#messages-link").click()
        buyer.locator(".inbox-row a").first.click()
        buyer.wait_for_load_state("load")  # htmx (deferred) has run: no string eval under our CSP
        assert "Приезжайте вечером" in buyer.locator("#chat").inner_text()
        buyer.locator("#composer .chip", has_text="Какая окончательная цена?").click()
        buyer.locator(".chat-mine", has_text="Какая окончательная цена?").wait_for()
        seller.locator(".chat-theirs", has_text="Какая окончательная цена?").wait_for(timeout=10_000)
        # ...and, having read the seller's answer, the buyer's read shows under it on the seller's page.
        seller.locator("#receipt", has_text="Прочитано").wait_for(timeout=10_000)
        assert stayed(seller)
        assert not csp_violations
    finally:
        buyer_context.close()
        seller_context.close()


@pytest.mark.parametrize("browser_context", [False], indirect=True, ids=["no-js"])
def test_without_javascript_the_conversation_is_plain_forms(live_server, browser_context):
    listing = ListingFactory(title="Daewoo Nexia 3")
    sign_in(browser_context, live_server, UserFactory())
    page = browser_context.new_page()
    page.goto(f"{live_server.url}{listing.get_absolute_url()}")
    page.locator("#write-seller .chip", has_text="Ещё актуально?").click()
    page.wait_for_url("**/messages/*/#composer")
    page.fill("#composer textarea", "Торг возможен?")
    page.locator("#composer button", has_text="Отправить").click()
    page.wait_for_url("**/messages/*/#composer")
    assert page.locator(".chat-mine").all_inner_texts()[0].startswith("Ещё актуально?")
    assert "Торг возможен?" in page.locator(".chat-mine").all_inner_texts()[1]


@pytest.mark.parametrize("language", ["", "/uz"], ids=["ru", "uz"])
@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_the_unread_count_is_on_the_first_screen_of_the_header(live_server, browser, width, language):
    """The account row scrolls sideways on a phone: the messages link and its count come right after the post
    button, not behind "Saved" where the buyer had to scroll the header to find them."""
    from .factories import conversation_with

    conversation = conversation_with(body="Здравствуйте! Ещё продаётся?")
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="ru-RU")
    sign_in(context, live_server, conversation.listing.owner)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{language}/")
        badge = page.locator("#messages-link .badge-new")
        assert badge.inner_text().startswith("1")
        box, post = badge.bounding_box(), page.locator(".post-link").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert post["x"] + post["width"] <= width, post
    finally:
        context.close()
