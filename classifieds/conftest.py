"""Browser fixtures shared by every app's ``@pytest.mark.browser`` tests.

Debian's chromium driven by Playwright (never a downloaded browser), headless,
with every host name but localhost unresolvable so a page cannot reach the
internet. Use with pytest-django's ``live_server`` and
``@pytest.mark.django_db(transaction=True)``.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself would otherwise be refused as "async unsafe".
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def browser_context(browser, request):
    """A fresh context (cookies, storage) per test; ``@pytest.mark.parametrize("javascript", ...)`` turns JS off."""
    javascript = getattr(request, "param", True)
    context = browser.new_context(
        java_script_enabled=javascript, locale="ru-RU", viewport={"width": 390, "height": 844}
    )
    yield context
    context.close()
