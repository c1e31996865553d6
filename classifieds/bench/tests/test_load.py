"""The load benchmark's wrk visitors (``load.lua``): every answer is counted, under the page that asked for it."""

import shutil

import pytest

from classifieds.bench.load import run_wrk
from classifieds.listings.tests.factories import ListingFactory


@pytest.fixture
def wrk():
    # Not a skip: CI installs Debian's wrk (.ci/run); a machine without it says so here.
    assert shutil.which("wrk"), "wrk is not installed: apt-get install wrk"


@pytest.mark.django_db(transaction=True)
def test_wrk_visitors_report_every_answer_by_kind_with_its_time_status_and_cache_hit(wrk, live_server):
    listing = ListingFactory()
    urls = [("home", "/"), ("detail", listing.get_absolute_url()), ("missing", f"/l/{listing.pk + 1000}-gone/")]

    stats, total = run_wrk(live_server.url, urls, concurrency=2, warmup=0, duration=1)

    assert set(stats) == {"home", "detail", "missing"}
    assert len(total.times) == sum(len(s.times) for s in stats.values())
    assert min(total.times) > 0
    # Each visitor asks for the pages in turn: three kinds, a third of the answers each, give or take a turn.
    assert all(abs(len(s.times) - len(total.times) / 3) <= 2 for s in stats.values())
    # A missing listing is a 404: an error of its own kind, and of the run, not of the others.
    assert stats["missing"].errors == len(stats["missing"].times) > 0
    assert stats["home"].errors == stats["detail"].errors == 0
    assert total.errors == stats["missing"].errors
    # Anonymous pages come from the page cache once the first answer is stored (once per visitor at most).
    for kind in ("home", "detail"):
        assert stats[kind].hits >= len(stats[kind].times) - 2
    assert stats["missing"].hits == 0
    # The visitors are people (a browser's user agent): each detail answer counted a view, as a person's does.
    # Requests still in flight when wrk stops count on the server but have no answer in the report.
    listing.refresh_from_db()
    assert len(stats["detail"].times) <= listing.views_count <= len(stats["detail"].times) + 2
