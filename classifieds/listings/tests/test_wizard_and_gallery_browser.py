"""In headless chromium: the posting wizard fits a phone screen, and the listing gallery shows every photo large."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from classifieds.accounts.tests.browser import session_cookie
from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings import services
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    CategoryFactory,
    LocationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('.photo-thumbs, .tabs'))
  .slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)"""


@pytest.fixture
def draft():
    realty = CategoryFactory(name_ru="Недвижимость", slug="nedvizhimost")
    houses = CategoryFactory(
        parent=realty,
        name_ru="Аренда домов",
        name_uz="Hovli uylar ijarasi",
        slug="arenda-domov",
        price_periods=["month", "day"],
    )
    kind = AttributeFactory(
        category=houses, key="kind", label_ru="Тип дома по классификации застройщика", type=Attribute.Type.CHOICE
    )
    AttributeOptionFactory(
        attribute=kind, value="cottage", label_ru="Коттедж в охраняемом посёлке с собственной территорией и бассейном"
    )
    AttributeFactory(category=houses, key="area", label_ru="Площадь", type=Attribute.Type.DECIMAL, unit_ru="м²")
    tashkent = LocationFactory(name_ru="Ташкент", slug="tashkent")
    LocationFactory(parent=tashkent, name_ru="Мирзо-Улугбекский район", slug="mirzo-ulugbek")
    seller = UserFactory(phone="+998901112233")
    listing = services.listing_create_draft(owner=seller, category=houses)
    for _ in range(3):
        ListingPhotoFactory(listing=listing)
    return listing


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [360, 390])
def test_no_wizard_step_is_wider_than_a_phone_screen(live_server, browser, draft, width, javascript):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="ru-RU", java_script_enabled=javascript
    )
    context.add_cookies([session_cookie(live_server, draft.owner)])
    page = context.new_page()
    steps = [
        "/post/",
        f"/post/?parent={draft.category.parent_id}",
        "/post/?q=дом",
        f"/post/details/?draft={draft.pk}",
        f"/uz/post/details/?draft={draft.pk}",
        f"/post/review/?draft={draft.pk}",
    ]
    for step in steps:
        page.goto(live_server.url + step)
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert scroll_width <= inner_width, (step, scroll_width, page.evaluate(OVERFLOW))
        if shots := os.environ.get("BOZOR_SCREENSHOTS"):
            name = step.strip("/").replace("/", "-").replace("?", "-").replace("=", "")
            page.screenshot(path=f"{shots}/wizard-{width}-{javascript}-{name}.png", full_page=True)
    context.close()


@pytest.fixture
def rent():
    flats = CategoryFactory(name_ru="Аренда квартир", slug="arenda", price_periods=["month"])
    listing = ListingFactory(
        category=flats, title="Квартира у метро", price=Decimal("5000000"), currency="UZS", price_period="month"
    )
    for color in ("red", "green", "blue"):
        ListingPhotoFactory(listing=listing, image__color=color)
    return listing


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [390, 1280])
def test_a_buyer_sees_every_photo_large_by_its_thumbnail(live_server, browser, rent, width, javascript):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="ru-RU", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(live_server.url + rent.get_absolute_url())
    main = page.locator("[data-gallery-main] img")
    assert main.get_attribute("alt") == "Квартира у метро, фото 1"
    assert page.locator(".photo-thumbs a").count() == 3
    assert all(page.locator(".photo-thumbs img").nth(i).get_attribute("alt") for i in range(3))
    first_src = main.get_attribute("src")

    page.locator(".photo-thumbs a").nth(2).click()
    page.wait_for_function("document.querySelector('[data-gallery-main] img').alt.endsWith('3')")
    assert main.get_attribute("src") != first_src
    assert page.locator(".photo-thumbs a").nth(2).get_attribute("aria-current") == "true"
    assert page.locator(".photo-nav").inner_text().replace("\n", " ").count("3 из 3") == 1
    assert "photo=3" in page.url  # shareable, and what the server shows without JS

    page.locator("[data-gallery-main] a[rel=next]").click()  # wraps around to the first
    page.wait_for_function("document.querySelector('[data-gallery-main] img').alt.endsWith('1')")
    assert page.evaluate("[document.documentElement.scrollWidth, innerWidth]")[0] <= width
    context.close()
