"""A seller posts a listing with two photos in headless chromium and finds it on its page."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache

from classifieds.accounts.tests.browser import sign_in
from classifieds.accounts.tests.factories import UserFactory
from classifieds.imaging.tests.images import jpeg_bytes
from classifieds.listings.models import Listing
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    CategoryFactory,
    LocationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    cache.clear()


@pytest.mark.parametrize("browser_context", [True, False], indirect=True, ids=["js", "no-js"])
def test_a_seller_posts_a_listing_with_two_photos_and_sees_it(live_server, browser_context, tmp_path, request):
    javascript = request.node.callspec.id == "js"
    phones = CategoryFactory(name_ru="Телефоны", name_uz="Telefonlar", slug="telefony")
    apple = CategoryFactory(parent=phones, name_ru="Apple", name_uz="Apple", slug="telefony-apple")
    model = AttributeFactory(category=apple, key="model", label_ru="Модель", type=Attribute.Type.CHOICE, required=True)
    AttributeOptionFactory(attribute=model, value="iphone-15", label_ru="iPhone 15", label_uz="iPhone 15")
    AttributeFactory(category=phones, key="memory", label_ru="Память", type=Attribute.Type.INTEGER, unit_ru="ГБ")
    tashkent = LocationFactory(name_ru="Ташкент", name_uz="Toshkent", slug="tashkent")
    LocationFactory(parent=tashkent, name_ru="Юнусабад", name_uz="Yunusobod", slug="yunusabad")
    seller = UserFactory(phone="+998901112233")
    first, second = tmp_path / "front.jpg", tmp_path / "back.jpg"
    first.write_bytes(jpeg_bytes(800, 600, (200, 40, 40), orientation=6, gps=True))
    second.write_bytes(jpeg_bytes(800, 600, (40, 40, 200)))

    sign_in(browser_context, live_server, seller)
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/post/")
    if javascript:
        page.wait_for_function("window.htmx !== undefined")
        page.fill("#category-q", "iphone")
        page.locator("#category-picker .category-choice", has_text="Apple").wait_for()
        page.locator("#category-picker .category-choice", has_text="Apple").click()
    else:
        page.get_by_role("link", name="Телефоны").click()
        page.locator("button.category-choice", has_text="Apple").click()
    page.wait_for_url("**/post/details/?draft=*")

    page.fill("#id_title", "iPhone 15 128 ГБ, как новый")
    page.fill("#id_description", "Полный комплект, коробка и чек. Батарея 98%, без царапин.")
    page.fill("#id_price", "9500000")
    page.select_option("#id_attrs-model", "iphone-15")
    page.fill("#id_attrs-memory", "128")
    page.select_option("#id_region", label="Ташкент")
    if javascript:
        page.locator("#id_city option", has_text="Юнусабад").wait_for(state="attached")
    else:
        page.locator("button[name=action][value=refresh]").click()
        page.wait_for_load_state()
    page.select_option("#id_city", label="Юнусабад")
    page.set_input_files("#id_photos", [str(first), str(second)])
    page.locator("#photos button[name=action][value=save]").click()  # uploads; the typed fields are saved too
    page.locator("#photos .photo-item img").nth(1).wait_for()
    assert page.input_value("#id_title") == "iPhone 15 128 ГБ, как новый"
    if shots := os.environ.get("BOZOR_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/post-details{'' if javascript else '-nojs'}.png", full_page=True)

    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/post/review/?draft=*")
    assert "iPhone 15 128 ГБ, как новый" in page.content()
    page.locator("form.post-actions button[type=submit]").click()

    listing = Listing.objects.get(owner=seller)
    page.wait_for_url(f"{live_server.url}{listing.get_absolute_url()}")
    assert listing.status == Listing.Status.ACTIVE
    assert page.get_by_role("heading", name="iPhone 15 128 ГБ, как новый").is_visible()
    assert page.locator(".photo-thumbs img").count() == 2  # and the first one shown large
    photos = list(listing.photos.order_by("order"))
    assert [(p.status, p.width, p.height) for p in photos] == [("ready", 600, 800), ("ready", 800, 600)]
    page.goto(f"{live_server.url}/u/listings/")
    assert page.locator(".seller-listing", has_text="iPhone 15 128 ГБ").is_visible()
    if shots := os.environ.get("BOZOR_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/dashboard{'' if javascript else '-nojs'}.png", full_page=True)
