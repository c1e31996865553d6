"""Benchmark of the alert run: N saved searches over the listings of a (large) database.

    BOZOR_VAR_DIR=/work/benchvar .venv/bin/python -m classifieds.bench.alerts --searches 10000

Creates ``--searches`` saved searches (a realistic mix drawn from the catalog and the
listings: leaf and parent categories weighted by their listings, regions and cities,
one attribute option, a price ceiling, a word from real titles), owned by throw-away
users (``alertbench-*``, 70 % with an email), then runs the alert pass the periodic task
runs, for each ``--windows`` (minutes of publications before the newest listing: 5 is
an instant batch, 1440 a daily digest): find, record and move the cursor, then build and
send every email (to Django's in-memory mail backend: rendering is measured, SMTP is not).
Reports wall time and queries per saved search, then deletes everything it created.
Not a test; waits while the search benchmark runs on the same database.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
PREFIX = "alertbench-"


def _wait_for_search_bench() -> None:
    pgrep = shutil.which("pgrep") or "/usr/bin/pgrep"
    while subprocess.run([pgrep, "-f", "classifieds.bench.search"], capture_output=True).returncode == 0:  # noqa: S603
        print("classifieds.bench.search is running; waiting 30 s", flush=True)
        time.sleep(30)


def _mix(count: int, rng: random.Random) -> list[tuple]:
    """(category, location, query string) for ``count`` saved searches."""
    from django.db import connection

    from classifieds.taxonomy.snapshot import taxonomy_snapshot

    snapshot = taxonomy_snapshot()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT category_id, count(*) FROM listings_listing WHERE status = 'active' GROUP BY 1 ORDER BY 1"
        )
        per_category = [(snapshot.categories[pk], n) for pk, n in cursor.fetchall() if pk in snapshot.categories]
        cursor.execute("SELECT category_id, title FROM listings_listing TABLESAMPLE SYSTEM (1) LIMIT 20000")
        titles: dict[int, list[str]] = {}
        for pk, title in cursor.fetchall():
            titles.setdefault(pk, []).append(title)
    regions = [loc for loc in snapshot.locations.values() if loc.parent_id is None]
    cities = [loc for loc in snapshot.locations.values() if loc.parent_id is not None]
    leaves, weights = zip(*per_category, strict=True)
    prices = ["5000000", "20000000", "50000000", "100000000", "300000000"]
    mix = []
    for _ in range(count):
        leaf = rng.choices(leaves, weights)[0]
        category = leaf
        ancestors = snapshot.ancestors(leaf)
        if ancestors and rng.random() < 0.2:
            category = rng.choice(ancestors)
        roll = rng.random()
        location = rng.choice(regions) if roll < 0.4 else rng.choice(cities) if roll < 0.5 and cities else None
        params: list[tuple[str, str]] = []
        if category is leaf and rng.random() < 0.4:
            choices = [a for a in snapshot.schema(leaf) if a.filterable and a.has_options and list(a.options.all())]
            if choices:
                attribute = rng.choice(choices)
                params.append((f"attrs.{attribute.key}", rng.choice(list(attribute.options.all())).value))
        if rng.random() < 0.25:
            params.append(("price_max", rng.choice(prices)))
        if rng.random() < 0.15 and titles.get(leaf.pk):
            words = [w for w in rng.choice(titles[leaf.pk]).split() if len(w) > 3 and w.isalpha()]
            if words:
                params.append(("q", words[0].lower()))
        mix.append((category, location, "&".join(f"{k}={v}" for k, v in params)))
    return mix


def _create(count: int, seed: int) -> tuple[int, list]:
    from urllib.parse import quote

    from classifieds.accounts.models import User
    from classifieds.savedsearches.models import SavedSearch
    from classifieds.savedsearches.querying import search_from_parts, title_for

    rng = random.Random(seed)
    users = User.objects.bulk_create(
        User(
            username=f"{PREFIX}{seed}-{i}",
            email=f"{PREFIX}{i}@example.com" if rng.random() < 0.7 else "",
            display_name="alert bench",
        )
        for i in range(max(1, count // 5))
    )
    rows, keys = [], set()
    for i, (category, location, raw) in enumerate(_mix(count, rng)):
        query_string = "&".join(f"{k}={quote(v)}" for k, v in (pair.split("=", 1) for pair in raw.split("&") if pair))
        search = search_from_parts(category, location, query_string)
        user = users[i % len(users)]
        if (user.pk, search.key) in keys:
            continue
        keys.add((user.pk, search.key))
        rows.append(
            SavedSearch(
                user=user,
                title=title_for(search),
                category=category,
                location=location,
                params=search.params,
                key=search.key,
                frequency="daily",
            )
        )
    SavedSearch.objects.bulk_create(rows, batch_size=2000)
    return len(rows), [u.pk for u in users]


def _run(window: int) -> dict:
    from django.db import connection
    from django.db.models import Max

    from classifieds.listings.models import Listing
    from classifieds.savedsearches import mail, services
    from classifieds.savedsearches.models import CURSOR_END_ID, Digest, SavedSearch, SentAlert

    newest = Listing.objects.filter(status="active").aggregate(m=Max("published_at"))["m"]
    mine = SavedSearch.objects.filter(user__username__startswith=PREFIX)
    SentAlert.objects.filter(saved_search__in=mine).delete()
    Digest.objects.filter(saved_search__in=mine).delete()
    mine.update(cursor_published_at=newest - timedelta(minutes=window), cursor_id=CURSOR_END_ID, last_alert_at=None)
    searches = mine.count()
    send_time = [0.0]
    real_send = mail.digest_send

    def timed_send(**kwargs):
        started = time.perf_counter()
        try:
            return real_send(**kwargs)
        finally:
            send_time[0] += time.perf_counter() - started

    mail.digest_send = timed_send
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            digests = services.alert_run(frequency="daily", now=newest + services.INDEX_LAG)
            elapsed = time.perf_counter() - started
    finally:
        mail.digest_send = real_send
    alerted = SentAlert.objects.filter(saved_search__in=mine).count()
    emails = Digest.objects.filter(saved_search__in=mine, channel="email", sent_at__isnull=False).count()
    return {
        "window": window,
        "searches": searches,
        "digests": digests,
        "emails": emails,
        "listings": alerted,
        "seconds": elapsed,
        "send_seconds": send_time[0],
        "queries": queries[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--windows", default="5,1440", help="minutes of publications per run, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    _wait_for_search_bench()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from classifieds.accounts.models import User
    from classifieds.listings.models import Listing

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    from django.core import mail as django_mail

    django_mail.outbox = []
    HUEY.immediate = True  # the send task runs right after each commit, in this process
    logging.getLogger("huey").setLevel(logging.WARNING)
    print(f"listings: {Listing.objects.count():,}", flush=True)
    started = time.perf_counter()
    created, user_ids = _create(args.searches, args.seed)
    print(f"created {created:,} saved searches for {len(user_ids):,} users in {time.perf_counter() - started:.1f} s")
    try:
        for window in [int(w) for w in args.windows.split(",")]:
            result = _run(window)
            n = max(result["searches"], 1)
            print(
                f"window {window} min: {result['searches']:,} searches, {result['digests']:,} digests "
                f"({result['emails']:,} emailed), {result['listings']:,} listings alerted | "
                f"{result['seconds']:.1f} s total = {1000 * result['seconds'] / n:.2f} ms/search "
                f"(sending {result['send_seconds']:.1f} s) | {result['queries'] / n:.2f} queries/search",
                flush=True,
            )
            django_mail.outbox = []
    finally:
        User.objects.filter(pk__in=user_ids).delete()  # cascades to saved searches, digests, sent alerts
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_user WHERE username LIKE %s", [PREFIX + "%"])
            print(f"cleaned up (bench users left: {cursor.fetchone()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
