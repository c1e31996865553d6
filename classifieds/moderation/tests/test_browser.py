"""In chromium: a held listing goes through rejection, the seller's fix and approval; a buyer reports without JS."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from classifieds.accounts.tests.browser import sign_in
from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.lifecycle import Status
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory
from classifieds.moderation.models import Report
from classifieds.taxonomy.paths import srp_path
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

from .factories import moderator_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    yield
    cache.clear()


def test_rejected_fixed_resubmitted_approved_then_on_its_category_page(live_server, browser, browser_context):
    jobs = CategoryFactory(name_ru="Работа", name_uz="Ish", slug="rabota", requires_moderation=True)
    vacancies = CategoryFactory(parent=jobs, name_ru="Вакансии", name_uz="Vakansiyalar", slug="rabota-vakansii")
    place = LocationFactory(name_ru="Самарканд", name_uz="Samarqand", slug="samarkand")
    seller = UserFactory(phone="+998901114455")
    draft = ListingFactory(
        owner=seller,
        category=vacancies,
        location=place,
        status=Status.DRAFT,
        title="Требуется повар в кафе",
        description="Опыт от года, график 5/2, обед за счёт заведения.",
        published_at=None,
        expires_at=None,
    )

    # The seller submits: a sensitive category holds it for review.
    sign_in(browser_context, live_server, seller)
    seller_page = browser_context.new_page()
    seller_page.goto(f"{live_server.url}/post/review/?draft={draft.pk}")
    seller_page.locator("form.post-actions button[type=submit]").click()
    seller_page.wait_for_url("**/u/listings/?tab=pending")
    draft.refresh_from_db()
    assert draft.status == Status.PENDING

    # A moderator rejects it with a reason and a note.
    moderator_context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    sign_in(moderator_context, live_server, moderator_user(phone="+998901114466"))
    admin_page = moderator_context.new_page()
    admin_page.goto(f"{live_server.url}/admin/moderation/reviewqueueitem/")
    admin_page.locator("#result_list a", has_text="Требуется повар в кафе").click()
    admin_page.select_option("#id_reason", "incomplete")
    admin_page.fill("#id_note", "Нет зарплаты — спросить")
    admin_page.locator("button[name=decision][value=reject]").click()
    admin_page.wait_for_url("**/admin/moderation/reviewqueueitem/")
    assert admin_page.locator("#result_list a", has_text="Требуется повар в кафе").count() == 0

    # The seller reads the reason (never the note), fixes the listing and sends it again.
    seller_page.goto(f"{live_server.url}/u/listings/?tab=rejected")
    card = seller_page.locator(".seller-listing", has_text="Требуется повар в кафе")
    assert "В описании не хватает важных подробностей." in card.inner_text()
    assert "спросить" not in seller_page.content()
    card.get_by_role("link", name="Редактировать").click()
    seller_page.wait_for_url("**/post/details/?draft=*")
    seller_page.fill("#id_description", "Опыт от года, график 5/2, зарплата 6 000 000 сум, обед за счёт заведения.")
    seller_page.locator("button[name=action][value=next]").click()
    seller_page.wait_for_url("**/u/listings/**")
    draft.refresh_from_db()
    assert draft.status == Status.PENDING

    # The moderator approves it; it is on its category page.
    admin_page.goto(f"{live_server.url}/admin/moderation/reviewqueueitem/{draft.pk}/change/")
    admin_page.locator("button[name=decision][value=approve]").click()
    admin_page.wait_for_url("**/admin/moderation/reviewqueueitem/")
    moderator_context.close()
    draft.refresh_from_db()
    assert draft.status == Status.ACTIVE
    visitor = browser_context.browser.new_context(locale="ru-RU")
    page = visitor.new_page()
    page.goto(f"{live_server.url}{srp_path(vacancies)}")
    assert page.get_by_text("Требуется повар в кафе").first.is_visible()
    visitor.close()


@pytest.mark.parametrize("browser_context", [False], indirect=True, ids=["no-js"])
def test_a_buyer_reports_a_listing_without_javascript(live_server, browser_context):
    listing = ListingFactory(title="Айфон 15 за полцены", category=CategoryFactory(), location=LocationFactory())
    assert Listing.objects.get(pk=listing.pk).is_visible
    page = browser_context.new_page()
    page.goto(f"{live_server.url}{listing.get_absolute_url()}")
    assert page.get_by_text("никогда не платите заранее").is_visible()
    page.get_by_role("link", name="Пожаловаться").click()
    page.wait_for_url(f"**/l/{listing.pk}/report/")
    page.get_by_label("Мошенничество").check()
    page.fill("#id_text", "Просит предоплату на карту")
    page.get_by_role("button", name="Отправить жалобу").click()
    page.wait_for_url(f"{live_server.url}{listing.get_absolute_url()}")
    assert page.get_by_text("Спасибо. Модераторы посмотрят.").is_visible()
    report = Report.objects.get()
    assert (report.listing_id, report.reason, report.text) == (listing.pk, "scam", "Просит предоплату на карту")
