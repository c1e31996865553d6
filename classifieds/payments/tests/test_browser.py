"""Buying a TOP promotion with a real browser through the sandbox, then finding the listing pinned."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.accounts.tests.browser import sign_in
from classifieds.listings.tests.factories import ListingFactory
from classifieds.orders.models import Order
from classifieds.taxonomy.tests.factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Transactional tests do not roll back the cache table."""
    yield
    cache.clear()


@pytest.mark.parametrize("browser_context", [True, False], indirect=True)
def test_a_seller_buys_a_top_slot_and_sees_the_listing_pinned_with_its_label(live_server, browser_context):
    category = CategoryFactory()
    ListingFactory.create_batch(2, category=category)
    listing = ListingFactory(category=category, title="Nexia 3 2019")
    sign_in(browser_context, live_server, listing.owner)
    page = browser_context.new_page()

    page.goto(f"{live_server.url}/u/promote/{listing.pk}/")
    page.check('input[name="offer"][value="top-7"]')
    page.check('input[name="provider"][value="sandbox"]')
    page.locator("form.promote-form button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/payments/sandbox/*/")
    page.locator('button[name="outcome"][value="success"]').click()
    page.wait_for_url(f"{live_server.url}/payments/callback/?order=*")
    assert page.locator(".payment-state.payment-paid").is_visible()
    assert Order.objects.get().state == Order.State.PAID

    page.goto(f"{live_server.url}/c/{category.slug}/")
    pinned = page.locator(".cards-top .card")
    assert pinned.count() == 1
    assert "Nexia 3 2019" in pinned.first.inner_text()
    assert pinned.first.locator(".badge-top").is_visible()
    assert page.locator(".cards:not(.cards-top) .card", has_text="Nexia 3 2019").count() == 0


@pytest.mark.parametrize("browser_context", [True, False], indirect=True)
@pytest.mark.parametrize("language", ["ru", "uz"])
def test_the_promote_page_fits_a_phone_with_unwrapped_prices_and_translated_providers(
    live_server, browser_context, language
):
    listing = ListingFactory()
    sign_in(browser_context, live_server, listing.owner)
    page = browser_context.new_page()  # 390 px wide
    prefix = "/uz" if language == "uz" else ""
    page.goto(f"{live_server.url}{prefix}/u/promote/{listing.pk}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cards = page.locator(".promote-option")
    assert cards.count() == 4
    for i in range(cards.count()):
        card, radio, price = cards.nth(i), cards.nth(i).locator("input"), cards.nth(i).locator(".promote-price")
        box, radio_box, price_box = card.bounding_box(), radio.bounding_box(), price.bounding_box()
        # The radio sits inside its card, on the price's line; the price is one line, inside the card.
        assert box["x"] <= radio_box["x"] and radio_box["x"] + radio_box["width"] <= box["x"] + box["width"]
        assert abs(radio_box["y"] - price_box["y"]) < price_box["height"]
        line = float(price.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert price_box["height"] < 1.5 * line, price.inner_text()
        assert price_box["x"] + price_box["width"] <= box["x"] + box["width"]
    sandbox = page.locator(".promote-provider", has=page.locator('input[value="sandbox"]'))
    expected = "Sinov to‘lovi (sandbox)" if language == "uz" else "Тестовая оплата (песочница)"
    assert expected in sandbox.inner_text()
    assert "Sandbox" not in sandbox.inner_text()
