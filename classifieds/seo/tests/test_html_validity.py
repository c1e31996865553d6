"""Home, results and listing pages are valid HTML: the Nu HTML Checker finds no error.

Invalid HTML changes behaviour (a form nested in another is dropped by the parser, so
its button submits the outer form). The checker is vnu.jar from npm (``vnu-jar``):
set ``VNU_JAR`` to its path, or ``npm install vnu-jar`` at the repository root. The
test is skipped only when java or the jar is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from classifieds.accounts.tests.factories import UserFactory
from classifieds.core.templatetags.bozor import iso_datetime, number_value
from classifieds.search.services import search_process_events
from classifieds.search.tests.contract import build_corpus

pytestmark = [pytest.mark.django_db]


def vnu_command() -> list[str]:
    java = shutil.which("java")
    jar = Path(os.environ.get("VNU_JAR") or settings.BASE_DIR / "node_modules/vnu-jar/build/dist/vnu.jar")
    if java is None or not jar.is_file():
        if os.environ.get("CI"):  # CI installs both (.ci/run, make test's npm ci): missing there is a failure
            pytest.fail(f"the Nu HTML Checker needs java and vnu.jar (VNU_JAR={jar})")
        pytest.skip(f"the Nu HTML Checker needs java and vnu.jar (VNU_JAR={jar})")
    return [java, "-jar", str(jar), "--errors-only", "--format", "json", "--stdout"]


def html_errors(pages: dict[str, bytes], folder: Path) -> list[str]:
    """Every error the checker reports on these pages, as "page line:column message"."""
    files = {}
    for name, html in pages.items():
        path = folder / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-') or 'home'}.html"
        path.write_bytes(html)
        files[path.resolve().as_uri()] = name
    run = subprocess.run([*vnu_command(), *(str(p) for p in folder.glob("*.html"))], capture_output=True, timeout=300)
    messages = json.loads(run.stdout or run.stderr)["messages"]
    errors = []
    for message in messages:
        if message["type"] == "info":
            continue
        page = files.get(message.get("url", "").replace("file:/", "file:///", 1), message.get("url"))
        errors.append(f"{page} {message.get('lastLine')}:{message.get('firstColumn')} {message['message']}")
    return errors


@pytest.fixture
def corpus(settings):
    settings.LISTINGS_PER_PAGE = 3  # so the results pages have pagination
    corpus = build_corpus()
    search_process_events()
    return corpus


def test_home_results_and_listing_pages_have_no_html_error(client, corpus, tmp_path):
    signed_in = Client()
    signed_in.force_login(UserFactory())  # the results then carry the "Save this search" form
    cobalt, redmi = corpus.listings["cobalt19"], corpus.listings["redmi"]
    urls = {
        "home": (client, "/"),
        "home uz": (client, "/uz/"),
        "category": (signed_in, "/c/c-cars/"),
        "category page 2": (client, "/c/c-cars/?page=2"),
        "category and place": (signed_in, "/c/c-cars/l-tashkent/"),
        "category uz": (client, "/uz/c/c-transport/"),
        "filtered": (signed_in, "/c/c-cars/?attrs.make=chevrolet&condition=used&price_min=1000&currency=USD"),
        "malformed filter": (client, "/c/c-cars/?price_min=abc&attrs.year_min=x"),
        "search": (signed_in, "/search/?q=cobalt"),
        "search nothing found": (client, "/search/?q=вертолёт"),
        "detail": (client, cobalt.get_absolute_url()),
        "detail signed in": (signed_in, cobalt.get_absolute_url()),
        "detail free, no photo": (client, redmi.get_absolute_url()),
    }
    pages = {}
    for name, (browser, url) in urls.items():
        response = browser.get(url, follow=True)
        assert response.status_code == 200, name
        pages[name] = response.content
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_the_checker_sees_a_nested_form(tmp_path):
    """The test above can fail: the checker does report what broke the results page."""
    page = b'<!doctype html><html lang="ru"><title>x</title><form><form method="post"></form></form></html>'
    errors = html_errors({"nested": page}, tmp_path)
    assert any("Nested forms are not allowed" in error for error in errors)


class TestMachineValues:
    def test_a_time_is_given_to_the_second_in_local_time(self, settings):
        settings.TIME_ZONE = "Asia/Tashkent"
        moment = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("UTC"))
        assert iso_datetime(moment) == "2026-03-01T14:30:15+05:00"
        assert iso_datetime(None) == ""

    @pytest.mark.parametrize(
        ("typed", "value"), [("12500", "12500"), ("-5", "-5"), ("1.5", "1.5"), ("1e6", "1e6"), (" 7 ", "7")]
    )
    def test_a_number_field_echoes_a_number(self, typed, value):
        assert number_value(typed) == value

    @pytest.mark.parametrize("typed", ["abc", "1,5", "1 000", ".5", "+5", "1.", "", None])
    def test_a_number_field_echoes_nothing_else(self, typed):
        assert number_value(typed) == ""
