"""Fixtures of the smoke journeys: the two sites, the fakes they talk to, and watched browser contexts."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

import pytest

from classifieds.accounts.tests import fake_eskiz

from . import fakes, servers

VARIANTS = ["make-run", "production"]
BUILD_TIMEOUT = 2 * servers.START_TIMEOUT + 4 * servers.COMMAND_TIMEOUT  # set-up commands, start, readiness


@pytest.fixture(scope="module")
def fake_sms():
    """Eskiz's HTTP API (the production site sends its sign-in codes there, through its worker)."""
    fake, server = fake_eskiz.serve()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def fake_payme():
    """Payme's checkout page (where the production site sends a buyer)."""
    fake, server = fakes.serve_payme_checkout()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def fake_smtp():
    """The mail server of the production site (no journey here mails anybody; the deploy check wants one)."""
    fake, server = fakes.serve_smtp()
    yield fake
    server.shutdown()
    server.server_close()


def _wanted(session, variant: str) -> bool:
    return any(
        getattr(item, "callspec", None) and item.callspec.params.get("site") == variant for item in session.items
    )


@pytest.fixture(scope="module")
def _production_build(request, fake_sms, fake_payme, fake_smtp):
    """The production site, built in the background from the start (while make run's journeys run)."""
    if not _wanted(request.session, "production"):
        yield None
        return
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="production-site")
    build = executor.submit(
        servers.production_site,
        sms_api_url=fake_sms.url,
        smtp_url=fake_smtp.url,
        payme_checkout_url=fake_payme.url,
        payme_key=fakes.KEY,
        payme_merchant_id=fakes.MERCHANT_ID,
    )
    yield build
    # Stopped even when no production journey got to use it (a failed build cleaned up after itself,
    # and the `site` fixture reported why).
    with suppress(Exception):
        build.result(timeout=BUILD_TIMEOUT).close()
    executor.shutdown()


@pytest.fixture(scope="module", params=VARIANTS)
def site(request, _production_build, fake_sms, fake_payme) -> Iterator[servers.Site]:
    """One running site per settings variant, started once for the module and stopped even on failure."""
    if request.param == "make-run":
        started = servers.make_run_site()
    else:
        started = _production_build.result(timeout=BUILD_TIMEOUT)
    started.fake_sms = fake_sms
    started.fake_payme = fake_payme
    try:
        yield started
    finally:
        started.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed journey shows the end of its site's server logs (web and worker) next to the assertion."""
    report = yield
    site = getattr(item, "funcargs", {}).get("site")
    if report.failed and isinstance(site, servers.Site):
        report.sections.append((f"{site.variant} server logs", site.log_tails()))
    return report


# Runs in every document before its own scripts (Playwright injects it outside the page's CSP).
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


class Contexts:
    """Browser contexts of one test, each watched for what a user would see go wrong.

    Fails the test on any server error (5xx), anything a page loads that is missing (4xx), console
    error (a CSP refusal is one) or uncaught page error, in any page the test opened.
    """

    def __init__(self, browser, site: servers.Site) -> None:
        self.browser = browser
        self.site = site
        self.problems: list[str] = []
        self.opened: list = []

    def new(self, *, javascript: bool = True, phone: str | None = None, width: int = 390):
        """A fresh context (JS on or off, 390 px wide unless told), signed in as ``phone`` if given."""
        state = self.site.sessions[phone] if phone else None
        context = self.browser.new_context(
            java_script_enabled=javascript,
            locale="ru-RU",
            viewport={"width": width, "height": 844},
            storage_state=state,
        )
        context.set_default_timeout(15_000)
        if not self.site.debug:
            context.route(f"{self.site.url}/media/**", self._media_as_nginx_serves_it)
        context.add_init_script(_REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        context.on("page", self._watch_page)
        context.on("response", self._response)
        self.opened.append(context)
        return context

    def _media_as_nginx_serves_it(self, route) -> None:
        """Production: ``/media/`` is nginx's (deploy/nginx.conf: ``alias var/media/``), not gunicorn's."""
        status, body, content_type = self.site.media(route.request.url)
        route.fulfill(status=status, body=body, content_type=content_type)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url") or "?"  # for a resource that failed to load: its URL
            page = message.page.url if message.page else "?"
            self.problems.append(f"console error on {page}: {message.text} ({where})")

    def _watch_page(self, page) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error on {page.url}: {error}"))

    def _response(self, response) -> None:
        # A page may be a 404 on purpose; what it loads (styles, scripts, images, fragments) may not.
        broken = response.status >= 500 or (response.status >= 400 and response.request.resource_type != "document")
        if broken:
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def contexts(browser, site) -> Iterator[Contexts]:
    opened = Contexts(browser, site)
    yield opened
    opened.close()
    assert not opened.problems, f"{site.variant}: what went wrong in the browser:\n" + "\n".join(opened.problems)
