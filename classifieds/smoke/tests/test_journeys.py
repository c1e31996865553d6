"""Smoke: the real journeys, through a real server, in headless chromium, with both ways people run Bozor.

Each test runs twice, once per settings variant (the ``site`` fixture, module-scoped, so each
site is set up once: see servers.py):

- ``make-run``: what ``make run`` runs, ``DJANGO_DEBUG=1``, the debug toolbar on (the page must
  show it, and its panels must open: they call ``str()`` on users, listings, orders...), the dev
  sign-in code ``000000`` and the sandbox payment provider;
- ``production``: the Procfile's gunicorn and worker, ``DJANGO_DEBUG=0``, collected hashed static
  files served by whitenoise, a real secret key and host list, the Eskiz SMS backend (codes are
  read from a fake Eskiz the worker sends them to) and Payme (a fake checkout page; its server's
  webhook calls are played like Payme plays them).

The journeys are one story per site, in the order a site lives it: people sign in, a seller posts
two listings in pre-moderated categories (one with JavaScript, one without), an administrator makes
a moderator and both approve a listing in Admin, the seller promotes one and sees it on top, a
buyer favorites and saves searches. A journey that needs what an earlier one made (a listing, a
moderator) says so when it is missing. Every step asserts what the user sees; any 5xx, console or
Content-Security-Policy error, uncaught page error or missing file a page loads fails the journey,
and the last test fails on any traceback or 5xx the servers and workers logged.

Where it lives: ``classifieds/smoke/tests/``, a package of its own under the one path pytest collects
(``testpaths``), because it belongs to no app: it drives them all from outside, over HTTP. Marked
``smoke`` (and ``browser``): ``make test`` and CI run it like every other test; ``-m "not smoke"`` leaves
it out while working on something else. Both sites take about 2 minutes on 2 idle cores.
"""

from __future__ import annotations

import io
import re
import time

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from classifieds.imaging.tests.images import jpeg_bytes

from .fakes import MERCHANT_ID, PaymeServer
from .servers import HTTPS_ONLY_WARNINGS

pytestmark = [pytest.mark.smoke, pytest.mark.browser]

SELLER = "90 123 45 67"  # the README's example number
MODERATOR = "90 765 43 21"
BUYER = "90 222 33 44"
DEV_CODE = "000000"  # make run: the console SMS backend with DEBUG on
WAIT = 30  # seconds for the worker to do something (send an SMS, process a photo)

expect.set_options(timeout=15_000)


def e164(phone: str) -> str:
    return "+998" + phone.replace(" ", "")


def eventually(check, *, timeout: float = WAIT, every: float = 0.5, message: str = ""):
    """``check()``'s first truthy result, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message or f"not within {timeout}s")
        time.sleep(every)


# --- signing in ----------------------------------------------------------------------------------


def sms_codes(site, phone: str) -> list[str]:
    """Codes the production site's worker sent to ``phone`` through Eskiz, oldest first."""
    number = e164(phone).lstrip("+")
    found = []
    for sms in site.fake_sms.sent:
        if sms.form.get("mobile_phone") == number:
            match = re.search(r"\b(\d{6})\b", sms.form.get("message", ""))
            assert match, f"an SMS without a code: {sms.form.get('message')!r}"
            found.append(match.group(1))
    return found


def sign_in(site, page, phone: str) -> None:
    """The phone sign-in at /auth/otp/, with the code the user gets; ends on the profile page."""
    page.goto(f"{site.url}/auth/otp/?next=/u/profile/")
    expect(page).to_have_title(re.compile("^Войти"))
    already_sent = 0 if site.debug else len(sms_codes(site, phone))
    page.get_by_label("Номер телефона").fill(phone)
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_label("Код из SMS")).to_be_visible()
    expect(page.get_by_text("Мы отправили код на")).to_be_visible()
    if site.debug:
        code = DEV_CODE
    else:
        codes = eventually(
            lambda: sms_codes(site, phone)[already_sent:], message=f"the worker sent no SMS to {phone} through Eskiz"
        )
        code = codes[-1]
    page.get_by_label("Код из SMS").fill(code)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{site.url}/u/profile/")
    expect(page.get_by_role("heading", name="Мой профиль")).to_be_visible()
    expect(page.get_by_text(f"Вы вошли как {e164(phone)[:4]} {phone}")).to_be_visible()


def signed_in(site, contexts, phone: str) -> str:
    """``phone`` signed in on this site (once; the browser session is kept for later journeys)."""
    if phone not in site.sessions:
        context = contexts.new()
        sign_in(site, context.new_page(), phone)
        site.sessions[phone] = context.storage_state()
    return phone


def open_toolbar_panels(page, panels=("SQLPanel", "TemplatesPanel", "RequestPanel", "HistoryPanel")) -> None:
    """make run: the debug toolbar is on the page, and its panels open (they print the request's objects)."""
    expect(page.locator("#djDebug")).to_be_attached()
    page.locator("#djShowToolBarButton").click()
    expect(page.locator("#djDebugToolbar")).to_be_visible()
    for panel in panels:
        page.locator(f"#djDebugPanelList a.{panel}").click()
        # The panel is fetched from the server (render_panel) and shows its table or list when it came.
        expect(page.locator(f"#{panel} .djdt-scroll").locator("table, dl").first).to_be_visible()
        page.locator(f"#{panel} .djDebugClose").click()
    page.locator("#djHideToolBarButton").click()  # as a developer does: it remembers that (a cookie)
    expect(page.locator("#djDebugToolbar")).to_be_hidden()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_visitor_signs_in_with_the_code_from_the_sms(site, contexts, javascript):
    phone = SELLER if javascript else MODERATOR
    context = contexts.new(javascript=javascript, width=1280)
    page = context.new_page()
    sign_in(site, page, phone)
    expect(page.get_by_role("link", name="Мой профиль")).to_be_visible()  # the header shows the account
    if site.debug and javascript:
        open_toolbar_panels(page)
    elif not site.debug:
        expect(page.locator("#djDebug")).to_have_count(0)
    site.sessions[phone] = context.storage_state()


# --- posting -------------------------------------------------------------------------------------


def upload_photo(tmp_path, name: str, color) -> str:
    """A phone photo as cameras write it: sideways (EXIF orientation 6), with GPS and camera data."""
    path = tmp_path / name
    path.write_bytes(jpeg_bytes(1200, 900, color, orientation=6, gps=True))
    return str(path)


def wait_for_processed_cover(site, page, listing_id: int) -> None:
    """The worker processed the photo: the dashboard shows it turned upright (900×1200 from a sideways 1200×900)."""

    def upright() -> bool:
        page.reload()
        cover = page.locator(f"#listing-{listing_id} .seller-listing-photo img")
        if not cover.count():
            return False
        return int(cover.get_attribute("height")) > int(cover.get_attribute("width"))

    eventually(upright, every=1, message=f"{site.variant}: the worker did not process the photo of {listing_id}")


def publish_from_review(site, page, title: str) -> int:
    """The review step of the wizard: the listing goes to review; returns its id from the dashboard."""
    page.wait_for_url("**/post/review/?draft=*")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Объявления в этой категории проверяет модератор перед публикацией.")).to_be_visible()
    page.locator("form.post-actions button[type=submit]").click()
    page.wait_for_url(f"{site.url}/u/listings/?tab=pending")
    expect(page.get_by_text("Спасибо! Объявление появится после быстрой проверки.")).to_be_visible()
    card = page.locator(".seller-listing", has_text=title)
    expect(card).to_be_visible()
    return int(card.get_attribute("id").removeprefix("listing-"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_seller_posts_a_listing_with_a_photo_and_it_waits_for_review(site, contexts, tmp_path, javascript):
    seller = signed_in(site, contexts, SELLER)
    page = contexts.new(javascript=javascript, phone=seller).new_page()
    page.goto(f"{site.url}/post/")
    if javascript:
        title = "Участок 6 соток в Кибрае"
        page.wait_for_function("window.htmx !== undefined")
        page.fill("#category-q", "участок")  # the finder matches word forms: "участок" finds "Земельные участки"
        page.locator("#category-picker .category-choice", has_text="Земельные участки").click()
        page.wait_for_url("**/post/details/?draft=*")
        page.fill("#id_title", title)
        page.fill("#id_description", "Ровный участок, документы готовы, рядом школа и магазин.")
        page.fill("#id_attrs-land_area", "6")
        page.fill("#id_price", "350000000")
        page.select_option("#id_region", label="Ташкентская область")
        page.locator("#id_city option", has_text="Чирчик").wait_for(state="attached")  # htmx brought the cities
        page.select_option("#id_city", label="Чирчик")
        photo = upload_photo(tmp_path, "uchastok.jpg", (40, 140, 60))
    else:
        title = "Python-разработчик в IT-компанию"
        page.get_by_role("link", name="Работа").click()
        page.locator("button.category-choice", has_text="IT, телеком, компьютеры").click()
        page.wait_for_url("**/post/details/?draft=*")
        page.fill("#id_title", title)
        page.fill(
            "#id_description", "Django, PostgreSQL, htmx. Офис в Ташкенте, гибкий график, официальное оформление."
        )
        page.select_option("#id_attrs-ad_type", label="Вакансия")
        page.select_option("#id_attrs-employment", label="Полная занятость")
        page.fill("#id_price", "15000000")
        page.select_option("#id_region", label="Ташкент")
        page.get_by_role("button", name="Показать города и районы").click()  # no JS: the form comes back with them
        page.select_option("#id_city", index=1)
        photo = upload_photo(tmp_path, "office.jpg", (30, 60, 160))
    page.set_input_files("#id_photos", photo)
    page.locator("#photos button[name=action][value=save]").click()  # uploads; what was typed is kept
    expect(page.locator("#photos .photo-item")).to_have_count(1)
    expect(page.locator("#id_title")).to_have_value(title)
    page.locator("button[name=action][value=next]").click()

    listing_id = publish_from_review(site, page, title)
    wait_for_processed_cover(site, page, listing_id)
    anonymous = httpx.get(f"{site.url}/l/{listing_id}/", follow_redirects=True, timeout=10)
    assert anonymous.status_code == 404, "a listing under review must not be public"
    site.story.setdefault("pending", []).append((listing_id, title))


# --- moderation ------------------------------------------------------------------------------------


def admin_sign_in(site, page, username: str, password: str) -> None:
    page.goto(f"{site.url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("input[type=submit]").click()
    expect(page.get_by_role("heading", name="Администрирование сайта")).to_be_visible()


def approve_in_admin(site, page, listing_id: int, title: str) -> None:
    """The review queue (Moderation), tick one, run "Approve the selected listings"."""
    page.goto(f"{site.url}/admin/moderation/reviewqueueitem/")
    row = page.locator("#result_list tbody tr", has=page.locator(f"input[name=_selected_action][value='{listing_id}']"))
    expect(row).to_contain_text(title)
    row.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", value="approve_selected")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("1 объявление одобрено.")).to_be_visible()
    expect(page.locator("#result_list tbody tr", has_text=title)).to_have_count(0)


def test_a_superuser_makes_a_moderator_and_both_approve_listings_in_admin(site, contexts):
    pending = site.story.get("pending", [])
    assert len(pending) == 2, "the posting journeys left no listings under review"
    moderator = signed_in(site, contexts, MODERATOR)
    password = "smoke-admin-password-7c1f"
    site.manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "admin",
        "--email",
        "admin@bozor.uz",
        env={"DJANGO_SUPERUSER_PASSWORD": password},
    )

    admin_page = contexts.new(width=1280).new_page()
    admin_sign_in(site, admin_page, "admin", password)
    # The moderator signed up by phone and never gave a name: Admin must still show them.
    admin_page.goto(f"{site.url}/admin/accounts/user/?q={e164(moderator).lstrip('+')}")
    admin_page.locator("#result_list tbody tr a").first.click()
    expect(admin_page.locator("#id_phone")).to_have_value(e164(moderator))
    expect(admin_page.get_by_role("heading", name="Пользователь Bozor")).to_be_visible()  # str() of the account
    admin_page.check("#id_is_staff")
    admin_page.select_option("#id_groups_from", label="moderators")
    admin_page.locator("#id_groups_add").click()
    if site.debug:
        open_toolbar_panels(admin_page, ("SQLPanel", "TemplatesPanel"))
    admin_page.locator("input[name=_save]").click()
    expect(admin_page.locator(".messagelist .success")).to_be_visible()

    (first_id, first_title), (second_id, second_title) = pending
    approve_in_admin(site, admin_page, first_id, first_title)
    moderator_page = contexts.new(phone=moderator, width=1280).new_page()
    moderator_page.goto(f"{site.url}/admin/")
    expect(moderator_page.locator("#listings-listing a", has_text="Объявления")).to_be_visible()
    approve_in_admin(site, moderator_page, second_id, second_title)
    if site.debug:
        open_toolbar_panels(moderator_page, ("SQLPanel", "TemplatesPanel"))

    visitor = contexts.new().new_page()
    for listing_id, title in pending:
        response = visitor.goto(f"{site.url}/l/{listing_id}/")
        assert response.ok, (listing_id, response.status)
        expect(visitor.get_by_role("heading", name=title)).to_be_visible()
        main_photo = visitor.locator(".listing-gallery img").first
        expect(main_photo).to_be_visible()
        status, body, _type = site.media(site.url + main_photo.get_attribute("src"))
        assert status == 200
        image = Image.open(io.BytesIO(body))
        assert image.height > image.width, "the photo was not turned upright"
        assert not image.getexif().get_ifd(0x8825), "the photo's GPS position is served to everyone"
    site.story["public"] = pending


# --- promoting ---------------------------------------------------------------------------------------


def test_a_seller_pays_for_a_top_slot_and_sees_the_listing_on_top(site, contexts):
    public = site.story.get("public")
    assert public, "the moderation journey left no public listing to promote"
    listing_id, title = public[0]
    page = contexts.new(phone=signed_in(site, contexts, SELLER), width=1280).new_page()
    page.goto(f"{site.url}/u/listings/")
    page.locator(f"#listing-{listing_id}").get_by_role("link", name="Продвинуть").click()
    page.wait_for_url(f"{site.url}/u/promote/{listing_id}/")
    page.check('input[name="offer"][value="top-7"]')
    expect(page.locator("#quote")).to_contain_text("К оплате")
    if site.debug:
        page.check('input[name="provider"][value="sandbox"]')
        page.locator("form.promote-form button[type=submit]").click()
        page.wait_for_url(f"{site.url}/payments/sandbox/*/")
        page.locator('button[name="outcome"][value="success"]').click()
    else:
        expect(page.locator('input[name="provider"]')).to_have_count(1)  # Payme only: never the sandbox
        page.check('input[name="provider"][value="payme"]')
        page.locator("form.promote-form button[type=submit]").click()
        page.wait_for_url(f"{site.fake_payme.url}/*")
        checkout = site.fake_payme.last_visit()
        assert checkout.merchant == MERCHANT_ID
        PaymeServer(site.url).pay(checkout, transaction=f"smoke{listing_id:019d}")
        page.locator("#back").click()
    page.wait_for_url(f"{site.url}/payments/callback/?order=*")
    expect(page.locator(".payment-state.payment-paid")).to_be_visible()

    page.goto(f"{site.url}/l/{listing_id}/")
    category_link = page.locator(".breadcrumbs a").last
    category_link.click()
    pinned = page.locator(".cards-top .card", has_text=title)
    expect(pinned).to_be_visible()
    expect(pinned.locator(".badge-top")).to_have_text("ТОП")
    page.goto(f"{site.url}/u/listings/")
    expect(page.locator(f"#listing-{listing_id}")).to_contain_text("ТОП")


# --- favorites and saved searches -------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_buyer_favorites_a_listing_and_saves_the_search_from_a_results_page(site, contexts, javascript):
    buyer = signed_in(site, contexts, BUYER)
    page = contexts.new(javascript=javascript, phone=buyer).new_page()
    if javascript:
        page.goto(f"{site.url}/c/elektronika/")
        page.wait_for_function("window.htmx !== undefined")
        page.locator(".filters-toggle").click()  # a 390 px phone: the filters are in their drawer
        page.locator("#srp-form input[name=photo]").check()  # live filtering swaps the results
        page.wait_for_url("**/c/elektronika/?photo=1")
        frequency, named = "weekly", "Электроника"
    else:
        page.goto(f"{site.url}/search/?q=iphone")
        frequency, named = "daily", "iphone"
    srp = page.url
    if site.debug and javascript:
        open_toolbar_panels(page, ("SQLPanel", "TemplatesPanel"))  # a page of 40 cards and their photos
    first = page.locator("#results .cards .card").first
    expect(first).to_be_visible()
    title = first.locator(".card-title").inner_text()
    heart = first.locator(".favorite-form button")
    expect(heart).to_have_attribute("aria-pressed", "false")
    heart.click()
    expect(first.locator('.favorite-form button[aria-pressed="true"]')).to_be_visible()

    page.locator("#save-search-frequency").select_option(frequency)
    page.get_by_role("button", name="Сохранить поиск").click()
    expect(page.locator(".message", has_text="Поиск сохранён")).to_be_visible()
    assert page.url.split("#")[0] == srp

    page.goto(f"{site.url}/saved/")
    expect(page.locator(".saved-favorites")).to_contain_text(title)
    saved = page.locator(".saved-search", has=page.locator(".saved-title", has_text=named))
    expect(saved).to_have_count(1)
    expect(saved.locator("select[name=frequency]")).to_have_value(frequency)


# --- what only the production settings promise ------------------------------------------------------


def test_the_deploy_check_passes_production_but_not_make_run(site):
    """Production settings: nothing but what only https can fix; make run's: the dev shortcuts are named."""
    result = site.deploy_check
    reported = set(re.findall(r"\((\w+\.[EW]\d+)\)", result.stdout + result.stderr))
    if site.debug:
        assert result.returncode != 0
        assert {"accounts.E002", "security.W018"} <= reported, result.stderr  # console SMS, DEBUG
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert reported <= HTTPS_ONLY_WARNINGS, reported - HTTPS_ONLY_WARNINGS


def test_pages_use_the_hashed_compressed_static_files_whitenoise_serves(site, contexts):
    page = contexts.new().new_page()
    page.goto(f"{site.url}/")
    css = page.locator('link[rel="stylesheet"]').first.get_attribute("href")
    if site.debug:
        assert css == "/static/css/bozor.css"
        return
    assert re.fullmatch(r"/static/css/bozor\.[0-9a-f]{12}\.css", css), css
    served = httpx.get(site.url + css, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/css")
    assert served.headers.get("content-encoding") == "gzip"
    assert "immutable" in served.headers.get("cache-control", "")


def test_the_servers_logged_no_error(site):
    assert not site.server_errors(), "\n".join(site.server_errors())
