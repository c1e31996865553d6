"""Browser fixtures shared by every app's ``@pytest.mark.browser`` tests.

Debian's chromium driven by Playwright (never a downloaded browser), headless,
with every host name but localhost unresolvable so a page cannot reach the
internet. Use with pytest-django's ``live_server`` and
``@pytest.mark.django_db(transaction=True)``.

Pages are served with the production Content-Security-Policy, and any
violation a page reports (console or ``securitypolicyviolation`` event) fails
the test that opened it: ``browser_context`` checks when the test ends, and
``csp_violations`` lets a test look earlier.
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


# Runs in every document before its own scripts (Playwright injects it outside the page's CSP).
_RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation (event): ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


def _is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text or text.startswith("CSP violation")


def watch_for_csp_violations(context, into: list[str]) -> None:
    """Append to ``into`` every Content-Security-Policy violation a page of ``context`` reports.

    The browser itself logs every refusal ("Refused to ... because it violates the following Content
    Security Policy directive"), with or without JavaScript; the event adds what the page saw.
    """
    context.add_init_script(_RECORD_VIOLATIONS)

    def on_console(message) -> None:
        if _is_csp_violation(message.text):
            into.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)


@pytest.fixture
def csp_violations() -> list[str]:
    """What pages of this test's browser context reported as Content-Security-Policy violations."""
    return []


@pytest.fixture
def browser_context(browser, request, csp_violations):
    """A fresh context (cookies, storage) per test; ``@pytest.mark.parametrize("javascript", ...)`` turns JS off.

    Fails the test when any page it opened reported a Content-Security-Policy violation.
    """
    javascript = getattr(request, "param", True)
    context = browser.new_context(
        java_script_enabled=javascript, locale="ru-RU", viewport={"width": 390, "height": 844}
    )
    watch_for_csp_violations(context, csp_violations)
    yield context
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
