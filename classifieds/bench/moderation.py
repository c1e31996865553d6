"""Benchmark of the moderators' review queue in Admin with many listings waiting.

    .venv/bin/python -m classifieds.bench.moderation --pending 10000

Adds ``--pending`` listings under review (bulk inserts, each with a screening row like the
intake rules leave: a third with rule hits), owned by throw-away sellers (``modbench-*``),
on top of whatever the database holds; then opens the review queue as a superuser through
Django's test client (the whole Admin stack: middleware, changelist, filters, template) —
unfiltered, filtered by rule, by category and by region, and its second page — and reports
the median wall time of ``--runs`` requests and the queries per request. Deletes everything
it created. Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
PREFIX = "modbench-"


def _setup(pending: int) -> dict:
    from django.utils import timezone

    from classifieds.accounts.models import User
    from classifieds.listings.models import Listing
    from classifieds.moderation.models import Screening
    from classifieds.taxonomy.models import Category, Location

    leaves = list(Category.objects.filter(is_leaf=True).order_by("pk")[:50])
    places = list(Location.objects.filter(parent__isnull=False).order_by("pk")[:50])
    if not leaves or not places:
        leaves = [Category.objects.create(name=f"{PREFIX}category", slug=f"{PREFIX}category", path=[])]
        Category.objects.filter(pk=leaves[0].pk).update(path=[leaves[0].pk])
        leaves[0].refresh_from_db()
        places = [Location.objects.create(name=f"{PREFIX}place", slug=f"{PREFIX}place", path=[])]
        Location.objects.filter(pk=places[0].pk).update(path=[places[0].pk])
        places[0].refresh_from_db()
    sellers = User.objects.bulk_create(
        [User(username=f"{PREFIX}{i}", phone=f"+99899{i:07d}", display_name=f"Seller {i}") for i in range(200)]
    )
    now = timezone.now()
    rows = [
        Listing(
            owner=sellers[i % len(sellers)],
            category=leaves[i % len(leaves)],
            location=places[i % len(places)],
            title=f"{PREFIX}listing {i}",
            slug="item",
            description="Продаю в хорошем состоянии, звоните.",
            price=1_000_000 + i,
            status=Listing.Status.PENDING,
            updated_at=now - timedelta(minutes=pending - i),
            published_at=now,
            expires_at=now + timedelta(days=30),
        )
        for i in range(pending)
    ]
    created = Listing.objects.bulk_create(rows, batch_size=2000)
    # ``updated_at`` is auto_now (bulk_create set it to now): spread the queue over time, oldest first.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE listings_listing SET updated_at = now() - (interval '1 minute' * (%s - id)) WHERE title LIKE %s",
            [created[-1].pk, f"{PREFIX}%"],
        )
    Screening.objects.bulk_create(
        [
            Screening(
                listing=listing,
                trigger="submit",
                route="hold" if i % 3 == 0 else "publish",
                score=50 if i % 3 == 0 else 0,
                reason="contacts_in_text" if i % 3 == 0 else "",
                rules=["contacts"] if i % 3 == 0 else [],
                hits=[{"rule": "contacts", "score": 50, "detail": "phone", "reason": "contacts_in_text"}]
                if i % 3 == 0
                else [],
            )
            for i, listing in enumerate(created)
        ],
        batch_size=2000,
    )
    admin = User.objects.create(username=f"{PREFIX}admin", is_staff=True, is_superuser=True)
    return {"admin": admin, "category": leaves[0].path[0], "region": places[0].path[0]}


def _cleanup() -> None:
    from classifieds.accounts.models import User
    from classifieds.audit.models import Event
    from classifieds.listings.models import Listing
    from classifieds.moderation.models import Screening
    from classifieds.taxonomy.models import Category, Location

    ids = list(Listing.objects.filter(owner__username__startswith=PREFIX).values_list("pk", flat=True))
    Screening.objects.filter(listing_id__in=ids).delete()
    Event.objects.filter(subject_type="listings.listing", subject_id__in=[str(pk) for pk in ids]).delete()
    Listing.objects.filter(pk__in=ids).delete()
    User.objects.filter(username__startswith=PREFIX).delete()
    Category.objects.filter(slug__startswith=PREFIX).delete()
    Location.objects.filter(slug__startswith=PREFIX).delete()


def _measure(client, url: str, runs: int) -> tuple[float, float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, caches
    times, sql = [], []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
        sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
    return statistics.median(times), max(times), queries, statistics.median(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from classifieds.listings.models import Listing

    # Served unhashed (no collected manifest needed); everything else as configured.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]).enable()
    _cleanup()
    try:
        started = time.perf_counter()
        made = _setup(args.pending)
        print(f"setup: {args.pending} pending listings in {time.perf_counter() - started:.1f} s", flush=True)
        total = Listing.objects.count()
        waiting = Listing.objects.filter(status=Listing.Status.PENDING).count()
        print(f"database: {total} listings, {waiting} pending")
        client = Client()
        client.force_login(made["admin"])
        queue = "/admin/moderation/reviewqueueitem/"
        print("| page | median ms | max ms | queries | median SQL ms |\n|---|---|---|---|---|")
        for label, url in (
            ("queue, oldest first", queue),
            ("queue, page 2", f"{queue}?p=2"),
            ("filtered by rule", f"{queue}?rule=contacts"),
            ("filtered by reason", f"{queue}?reason=contacts_in_text"),
            ("filtered by category", f"{queue}?top_category={made['category']}"),
            ("filtered by region", f"{queue}?region={made['region']}"),
            ("KPIs page", "/admin/moderation/moderationaction/kpis/"),
        ):
            median, worst, queries, sql = _measure(client, url, args.runs)
            print(f"| {label} | {median:.0f} | {worst:.0f} | {queries} | {sql:.0f} |", flush=True)
    finally:
        _cleanup()


if __name__ == "__main__":
    main()
