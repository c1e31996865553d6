"""The language switch is a relative link; canonical and hreflang are absolute from BASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from classifieds.seo.tests.markup import parse

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
class TestLanguageSwitch:
    def test_it_stays_on_the_host_the_visitor_is_on_when_base_url_names_another(self, client, settings):
        settings.BASE_URL = "http://127.0.0.1:8000"
        response = client.get("/saved/", HTTP_HOST="127.0.0.1")  # e.g. make run on another PORT
        page = parse(response.content)
        switch = [link["href"] for link in page.links if link.get("hreflang") == "uz"]
        assert switch == ["/uz/saved/"]
        assert page.canonical == ["http://127.0.0.1:8000/saved/"]
        assert page.alternates["uz-UZ"] == "http://127.0.0.1:8000/uz/saved/"

    def test_from_uzbek_it_leads_back_to_the_unprefixed_russian_page(self, client, settings):
        settings.BASE_URL = "https://bozor.uz"
        page = parse(client.get("/uz/saved/").content)
        switch = [link["href"] for link in page.links if link.get("hreflang") == "ru"]
        assert switch == ["/saved/"]
        assert page.canonical == ["https://bozor.uz/uz/saved/"]


def _make_run_dry(env: dict[str, str]) -> str:
    """The commands ``make run`` would run (``make -n``), with only the given variables set."""
    clean = {key: value for key, value in os.environ.items() if key not in {"BASE_URL", "PORT"}}
    result = subprocess.run(
        ["make", "-n", "run", *[f"{key}={value}" for key, value in env.items() if key == "PORT"]],  # noqa: S607
        cwd=ROOT,
        env={**clean, **{key: value for key, value in env.items() if key != "PORT"}},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


class TestMakeRunBaseUrl:
    def test_it_follows_the_port_make_run_serves(self):
        commands = _make_run_dry({"PORT": "8123"})
        assert "BASE_URL='http://127.0.0.1:8123'" in commands
        assert "runserver 127.0.0.1:8123" in commands

    def test_a_base_url_that_is_set_wins(self):
        commands = _make_run_dry({"PORT": "8123", "BASE_URL": "https://bozor.example"})
        assert "BASE_URL='https://bozor.example'" in commands

    def test_settings_take_it_from_the_environment(self):
        env = {**os.environ, "BASE_URL": "http://127.0.0.1:8123/"}
        printed = subprocess.run(
            [sys.executable, "-c", "from django.conf import settings; print(settings.BASE_URL)"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "classifieds.settings"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert printed.stdout.strip() == "http://127.0.0.1:8123"
