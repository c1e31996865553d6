"""deploy/audit.py's fallback when pip-audit cannot reach PyPI's per-release feed (PyPI faked at HTTP)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
import requests
import responses
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "deploy" / "audit.py"
spec = importlib.util.spec_from_file_location("bozor_audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

ADVISORY = {
    "id": "PYSEC-2099-1",
    "aliases": ["CVE-2099-0001"],
    "fixed_in": ["2.0.1"],
    "withdrawn": None,
}


@pytest.fixture
def pypi():
    """PyPI at its HTTP boundary: only the project feeds a test registers answer."""
    with responses.RequestsMock() as mock:
        yield mock


NOW = dt.datetime(2099, 6, 30, 12, 0, tzinfo=dt.UTC)


def feed(pypi, name: str, latest: str, vulnerabilities: list[dict] | None = None, *, released=None, yanked=()) -> None:
    """PyPI's project feed; ``released`` maps a version to how many days before NOW it was uploaded."""
    files = {
        version: [{"upload_time_iso_8601": (NOW - dt.timedelta(days=days)).isoformat(), "yanked": version in yanked}]
        for version, days in (released or {}).items()
    }
    pypi.get(
        f"https://pypi.org/pypi/{name}/json",
        json={"info": {"name": name, "version": latest}, "vulnerabilities": vulnerabilities or [], "releases": files},
    )


class TestReadPins:
    def test_it_follows_includes_and_normalizes_names(self, tmp_path):
        (tmp_path / "base.txt").write_text("Django==6.1.3\ntyping_extensions==4.16.0\n")
        (tmp_path / "dev.txt").write_text("-r base.txt\n# a comment\nmoto[server]==5.2.5\npip-audit==2.10.1\n")
        assert audit.read_pins([tmp_path / "dev.txt"]) == {
            "django": "6.1.3",
            "typing-extensions": "4.16.0",
            "moto": "5.2.5",
            "pip-audit": "2.10.1",
        }

    def test_the_project_lists_of_held_back_pins_are_pins_of_its_requirements(self):
        pins = audit.read_pins([Path(settings.BASE_DIR) / "requirements-dev.txt"])
        listed = audit.read_unaudited()
        assert listed and all(pins.get(name) == version for name, version in listed.items())


class TestFallback:
    def test_a_pin_at_its_latest_release_without_advisories_passes(self, pypi, capsys):
        feed(pypi, "django", "6.1.3")
        assert audit.fallback({"django": "6.1.3"}, {}) == 0
        assert "1 of 1 pins audited" in capsys.readouterr().out

    def test_an_advisory_on_the_pinned_release_fails(self, pypi, capsys):
        feed(pypi, "somelib", "2.0.0", [ADVISORY])
        assert audit.fallback({"somelib": "2.0.0"}, {}) == 1
        assert "VULNERABLE somelib==2.0.0: PYSEC-2099-1" in capsys.readouterr().out

    def test_a_withdrawn_advisory_does_not(self, pypi):
        feed(pypi, "somelib", "2.0.0", [{**ADVISORY, "withdrawn": "2099-02-01T00:00:00Z"}])
        assert audit.fallback({"somelib": "2.0.0"}, {}) == 0

    def test_a_pin_behind_its_latest_release_cannot_be_audited_and_fails(self, pypi, capsys):
        feed(pypi, "somelib", "3.0.0")
        assert audit.fallback({"somelib": "2.0.0"}, {}) == 1
        assert "NOT AUDITED somelib==2.0.0: latest is 3.0.0" in capsys.readouterr().out

    def test_a_pin_behind_a_release_younger_than_the_grace_period_is_reported_and_passes(self, pypi, capsys):
        feed(pypi, "somelib", "2.1.0", released={"2.0.0": 400, "2.1.0": 29})
        assert audit.fallback({"somelib": "2.0.0"}, {}, now=NOW) == 0
        out = capsys.readouterr().out
        assert "NOT AUDITED (behind for 29 of 30 grace days) somelib==2.0.0: latest is 2.1.0" in out
        assert "1 behind a release younger than 30 days" in out

    def test_the_grace_period_counts_from_the_first_release_after_the_pin(self, pypi, capsys):
        feed(pypi, "somelib", "2.2.0", released={"2.0.0": 400, "2.1.0": 31, "2.2.0": 1})
        assert audit.fallback({"somelib": "2.0.0"}, {}, now=NOW) == 1
        assert "NOT AUDITED somelib==2.0.0: latest is 2.2.0" in capsys.readouterr().out

    def test_yanked_and_pre_releases_do_not_start_the_grace_period(self, pypi):
        feed(pypi, "somelib", "2.2.0", released={"2.1.0": 60, "2.2.0rc1": 45, "2.2.0": 3}, yanked={"2.1.0"})
        assert audit.behind_since(audit.project_feed("somelib"), "2.0.0") == NOW - dt.timedelta(days=3)

    def test_unless_it_is_listed_as_held_back(self, pypi, capsys):
        feed(pypi, "somelib", "3.0.0")
        assert audit.fallback({"somelib": "2.0.0"}, {"somelib": "2.0.0"}) == 0
        assert "NOT AUDITED (listed" in capsys.readouterr().out

    def test_a_listed_pin_that_became_auditable_fails_so_the_list_cannot_go_stale(self, pypi, capsys):
        feed(pypi, "somelib", "2.0.0")
        assert audit.fallback({"somelib": "2.0.0"}, {"somelib": "2.0.0"}) == 1
        assert "STALE" in capsys.readouterr().out

    def test_pypi_not_answering_is_an_error_not_a_pass(self, pypi):
        pypi.get("https://pypi.org/pypi/somelib/json", status=503)
        with pytest.raises(requests.HTTPError):
            audit.fallback({"somelib": "2.0.0"}, {})
