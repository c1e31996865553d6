"""Signing in with a real browser, with JavaScript (htmx swaps the steps) and without (plain forms)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache

from classifieds.accounts import sms
from classifieds.accounts.models import User

from .browser import sign_in
from .conftest import last_code
from .factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Transactional tests do not roll back the cache table: limits must not leak into later tests."""
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("browser_context", "phone"), [(True, "90 111 22 33"), (False, "90 444 55 66")], indirect=["browser_context"]
)
def test_a_visitor_signs_in_with_the_code_from_the_sms(live_server, browser_context, phone):
    javascript = phone == "90 111 22 33"
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/auth/otp/?next=/u/profile/")
    assert page.title().startswith("Войти")
    if javascript:
        page.wait_for_function("window.htmx !== undefined")
        page.evaluate("window.stillTheSamePage = true")
        if shots := os.environ.get("BOZOR_SCREENSHOTS"):
            page.screenshot(path=f"{shots}/auth-signin.png", full_page=True)

    page.get_by_label("Номер телефона").fill(phone)
    page.get_by_role("button", name="Получить код").click()
    page.get_by_label("Код из SMS").wait_for()
    assert "Мы отправили код на" in page.content()
    if javascript:
        assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the step in place

    page.get_by_label("Код из SMS").fill(last_code(sms.outbox))
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{live_server.url}/u/profile/")
    assert page.get_by_role("heading", name="Мой профиль").is_visible()
    user = User.objects.get(phone="+998" + phone.replace(" ", ""))
    assert user.phone_verified
    assert page.get_by_role("link", name="Мой профиль").is_visible()  # the header shows the account


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_a_wrong_code_is_answered_in_place_with_the_tries_left(live_server, browser_context):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/auth/otp/")
    page.get_by_label("Номер телефона").fill("90 777 88 99")
    page.get_by_role("button", name="Получить код").click()
    wrong = "111111" if last_code_when_sent(page) != "111111" else "222222"
    page.get_by_label("Код из SMS").fill(wrong)
    page.get_by_role("button", name="Войти").click()
    page.get_by_text("Осталось 4 попытки.").wait_for()
    assert page.url == f"{live_server.url}/auth/otp/"


def last_code_when_sent(page) -> str:
    page.get_by_label("Код из SMS").wait_for()
    return last_code(sms.outbox)


@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_a_limit_is_shown_in_place_not_as_an_error_page(live_server, browser_context):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/auth/otp/")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Номер телефона").fill("90 123 00 11")
    page.get_by_role("button", name="Получить код").click()
    page.get_by_role("button", name="Другой номер").click()
    page.get_by_label("Номер телефона").fill("90 123 00 11")
    page.get_by_role("button", name="Получить код").click()  # within the minute: 429
    page.get_by_text("Новый можно запросить через").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.get_by_role("heading", name="Вход в Bozor").is_visible()  # the page around the step is intact


@pytest.mark.parametrize("language", ["", "/uz"], ids=["ru", "uz"])
@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_on_a_phone_sign_in_or_the_profile_is_on_the_header_first_row(live_server, browser, width, language, signed_in):
    """The account links on a phone scroll sideways; "Sign in" was the last of them and showed as "В" at the
    right edge in Russian. It (or the profile, with a long name cut short) now sits before the languages."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="ru-RU")
    if signed_in:
        sign_in(context, live_server, UserFactory(display_name="Абдурахмонов Абдувахоб Абдуллаевич"))
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{language}/")
        me = page.locator(".site-header .me-link")
        expected = "Абдурахмонов" if signed_in else {"": "Войти", "/uz": "Kirish"}[language]
        assert me.inner_text().startswith(expected)
        box, languages = me.bounding_box(), page.locator(".site-header .lang-switch").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= languages["x"] <= width, (box, languages)
        assert abs((box["y"] + box["height"] / 2) - (languages["y"] + languages["height"] / 2)) < 4  # one row
        # Nothing of the header is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") == width
    finally:
        context.close()
