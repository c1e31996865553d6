"""Content-Security-Policy: a fresh nonce per response, no inline script or style without it, htmx under it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from classifieds.conftest import watch_for_csp_violations
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory

ROOT = Path(__file__).resolve().parents[3]


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
class TestThePolicy:
    def test_every_page_carries_it_with_a_nonce_and_no_unsafe_inline_script(self, client):
        policy = policy_of(client.get("/"))
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"][0] == "'self'" and policy["script-src"][1].startswith("'nonce-")
        assert policy["style-src"][1].startswith("'nonce-")
        for directive in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in policy[directive] and "'unsafe-eval'" not in policy[directive]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]

    def test_the_nonce_is_new_for_every_response(self, client):
        first, second = (policy_of(client.get("/"))["script-src"][1] for _ in range(2))
        assert first != second

    def test_json_ld_blocks_carry_the_nonce_of_their_response(self, client):
        response = client.get("/")
        nonce = policy_of(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
        html = response.content.decode()
        blocks = re.findall(r'<script type="application/ld\+json"([^>]*)>', html)
        assert blocks and all(f'nonce="{nonce}"' in attrs for attrs in blocks)
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)  # inline ones
        assert all(f'nonce="{nonce}"' in attrs for attrs in scripts)

    def test_htmx_is_told_not_to_inject_styles_nor_eval(self, client):
        html = client.get("/").content.decode()
        assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html

    def test_the_outage_page_carries_it_too(self, client):
        # A 404 rendered by our template, like every error page.
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "'nonce-" in response["Content-Security-Policy"]


def test_no_template_served_under_the_policy_has_a_style_attribute():
    # E-mails are not web pages (mail clients need inline style): everything else is served under CSP.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        if "email" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\sstyle\s*=", line)
    ]
    assert offenders == []


@pytest.mark.browser
def test_the_browser_fixture_catches_inline_script_and_style(browser):
    """The check that guards every browser test can fail: a page with inline code is reported."""
    for javascript in (True, False):
        found: list[str] = []
        context = browser.new_context(java_script_enabled=javascript)
        watch_for_csp_violations(context, found)
        page = context.new_page()
        page.route(
            "http://localhost:9/csp-probe",
            lambda route: route.fulfill(
                status=200,
                headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'; style-src 'self'"},
                body="<!doctype html><p style='color: red'>x</p><script>document.title = 'ran'</script>",
            ),
        )
        page.goto("http://localhost:9/csp-probe")
        page.wait_for_timeout(200)
        context.close()
        assert any("style-src" in text for text in found), (javascript, found)
        if javascript:  # without JavaScript an inline script is never tried, so nothing is refused
            assert any("script-src" in text for text in found), found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_home_results_and_a_listing_run_htmx_without_a_violation(live_server, browser_context, csp_violations):
    listing = ListingFactory(title="Chevrolet Gentra 2021")
    ListingPhotoFactory(listing=listing)
    try:
        page = browser_context.new_page()
        page.goto(f"{live_server.url}/")
        page.wait_for_function("window.htmx !== undefined")
        assert page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [False, False]
        page.goto(f"{live_server.url}/c/{listing.category.slug}/")
        page.wait_for_function("window.htmx !== undefined")
        page.locator("#srp-form select[name=sort]").select_option("price_asc")  # an htmx swap of the results
        page.wait_for_url("**sort=price_asc**")
        page.locator(".card", has_text="Chevrolet Gentra 2021").first.wait_for()
        page.goto(f"{live_server.url}{listing.get_absolute_url()}")
        page.locator(f"#fav-{listing.pk} button").click()  # htmx POST with the CSRF header
        page.locator(f'#fav-{listing.pk} button[aria-pressed="true"]').wait_for()
        page.goto(f"{live_server.url}/admin/login/")
        assert page.locator(".bozor-phone-login").evaluate("e => getComputedStyle(e).textAlign") == "center"
        assert csp_violations == []
    finally:
        cache.clear()


@pytest.mark.django_db
def test_with_debug_the_technical_error_pages_are_readable(settings):
    """make run: Django's 404/500 debug pages use inline style, so they go out without the policy."""
    if "classifieds.core.middleware.DebugErrorPagesWithoutCSPMiddleware" not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[:2],
            "classifieds.core.middleware.DebugErrorPagesWithoutCSPMiddleware",
            *settings.MIDDLEWARE[2:],
        ]
    settings.DEBUG = True
    client = Client()
    technical = client.get("/no-such-page/")
    assert technical.status_code == 404
    assert "Content-Security-Policy" not in technical
    assert "'nonce-" in client.get("/")["Content-Security-Policy"]


def test_media_on_a_bucket_and_a_cdn_is_allowed_for_images_and_uploads():
    env = {
        **os.environ,
        "MEDIA_BUCKET": "bozor-media",
        "MEDIA_ENDPOINT": "https://storage.example.uz",
        "CDN_BASE_URL": "https://cdn.bozor.uz/",
        "DJANGO_SETTINGS_MODULE": "classifieds.settings",
    }
    printed = subprocess.run(
        [sys.executable, "-c", "import json; from django.conf import settings; print(json.dumps(settings.SECURE_CSP))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    policy = json.loads(printed.stdout)
    expected = {"https://cdn.bozor.uz", "https://storage.example.uz", "https://bozor-media.storage.example.uz"}
    assert expected <= set(policy["img-src"]) and expected <= set(policy["connect-src"])
    assert "https://checkout.paycom.uz" in policy["form-action"]
