"""Benchmark of analytics: recording, the flush of 1,000,000 buffered events, and a listing's chart query.

    .venv/bin/python -m classifieds.bench.analytics [--events 1000000] [--redis redis://127.0.0.1:6379/14]

1. Records ``--events`` events into the buffer (``add`` in batches of 1,000, as ``record`` does after its dedupe
   check) spread over ``--listings`` listings × 5 kinds × 2 days, and times ``record`` itself (dedupe
   included) on 100,000 events from distinct visitors.
2. Flushes them into ``analytics_dailycount`` (``analytics_flush``) and checks that every event arrived.
3. Writes one year of daily counts for ``--background`` other listings and for one listing, then times
   that listing's 30-day chart query (``listing_series``) and its 365-day variant, with the plan.
Rows use listing ids from 9,000,000,000 up and are deleted at the end. The buffer is this process's
locmem cache (the embedded default) or, with ``--redis``, a Redis database (production, pipelined); the Redis
keys (prefix ``analyticsbench``) are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
BASE_ID = 9_000_000_000
KINDS = ["impression", "view", "phone_reveal", "favorite", "message_started"]


def _buffer(events: int, listings: int) -> float:
    from django.utils import timezone

    from classifieds.analytics.buffer import Counter, get_buffer

    today = timezone.localdate()
    days = [today, today - timedelta(days=1)]
    store = get_buffer()
    started = time.perf_counter()
    batch: list = []
    for i in range(events):
        # Impressions dominate, as on the site: 60 % impressions, 25 % views, 15 % the rest.
        r = i % 20
        kind = KINDS[0] if r < 12 else KINDS[1] if r < 17 else KINDS[2 + r % 3]
        counter = Counter(days[(i // 7) % 2], kind, BASE_ID + (i * 7919) % listings, "")
        batch.append((counter, 1))
        if len(batch) == 1000:
            store.add(batch)
            batch = []
    if batch:
        store.add(batch)
    return time.perf_counter() - started


def _record(events: int) -> float:
    from django.test import RequestFactory

    from classifieds.analytics.events import record

    factory = RequestFactory()
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    requests = [
        factory.get("/", REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", HTTP_USER_AGENT=agent)
        for i in range(events)
    ]
    started = time.perf_counter()
    for i, request in enumerate(requests):
        record(request, kind="view", listing_id=BASE_ID + i % 5000)
    return time.perf_counter() - started


def _year(background: int, listing_id: int) -> float:
    """One year of daily counts for ``background`` listings and for ``listing_id`` (INSERT … SELECT)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO analytics_dailycount (listing_id, day, kind, subject, count)
            SELECT l, current_date - d, k, '', 1 + (l + d) %% 17
            FROM generate_series(%s::bigint, %s::bigint) AS l, generate_series(0, 364) AS d, unnest(%s::varchar[]) AS k
            ON CONFLICT (listing_id, day, kind, subject) DO UPDATE SET count = EXCLUDED.count
            """,
            [listing_id - background, listing_id, KINDS],
        )
        cursor.execute("ANALYZE analytics_dailycount")
    return time.perf_counter() - started


def _batches(items, size: int = 1000):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _time(fn, runs: int) -> float:
    fn()  # warm
    started = time.perf_counter()
    for _ in range(runs):
        fn()
    return (time.perf_counter() - started) / runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--listings", type=int, default=20_000, help="listings the buffered events fall on")
    parser.add_argument("--background", type=int, default=2_000, help="other listings with a year of counts")
    parser.add_argument("--redis", default="", help="buffer in this Redis database instead of process memory")
    args = parser.parse_args(argv)

    import django
    from django.conf import settings

    if args.redis:
        settings.CACHES["bench"] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": args.redis,
            "KEY_PREFIX": "analyticsbench",
        }
        settings.ANALYTICS_CACHE = "bench"
    settings.ANALYTICS_PROCESS_FLUSH_SECONDS = 0
    django.setup()
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from classifieds.analytics.buffer import get_buffer
    from classifieds.analytics.models import DailyCount
    from classifieds.analytics.services import analytics_flush
    from classifieds.analytics.stats import listing_series

    store = get_buffer()
    epoch = store.epoch()
    print(f"buffer: {type(store).__name__} ({settings.ANALYTICS_CACHE})", flush=True)
    try:
        seconds = _record(100_000)
        print(
            f"record(): 100,000 events (dedupe + buffer) in {seconds:.1f} s = {seconds * 10:.1f} µs/event", flush=True
        )
        analytics_flush(settle=False)  # those go first: measure the 1M alone
        seconds = _buffer(args.events, args.listings)
        print(f"buffered {args.events:,} events in {seconds:.1f} s ({args.events / seconds:,.0f}/s)", flush=True)
        started = time.perf_counter()
        result = analytics_flush(settle=False)
        seconds = time.perf_counter() - started
        print(
            f"flush: {result.events:,} events in {result.counters:,} counters -> analytics_dailycount "
            f"in {seconds:.1f} s ({result.events / max(seconds, 1e-9):,.0f} events/s)",
            flush=True,
        )
        assert result.events == args.events, (result.events, args.events)
        print(f"check: all {args.events:,} events arrived; rows now {DailyCount.objects.count():,}", flush=True)

        target = BASE_ID + args.listings + args.background + 1
        seconds = _year(args.background, target)
        rows = DailyCount.objects.filter(listing_id__gte=BASE_ID).count()
        print(f"a year of counts for {args.background + 1:,} listings: {rows:,} rows in {seconds:.1f} s", flush=True)
        today = timezone.localdate()
        chart = _time(lambda: listing_series(target, end=today, days=30), 200)
        year = _time(lambda: listing_series(target, end=today, days=365), 50)
        print(f"chart query, 30 days: {chart * 1000:.2f} ms; 365 days: {year * 1000:.2f} ms", flush=True)
        sql, params = (  # the chart's query, as listing_series builds it
            DailyCount.objects.filter(
                listing_id=target, day__gte=today - timedelta(days=29), day__lte=today, kind__in=KINDS
            )
            .values_list("day", "kind")
            .annotate(n=Sum("count"))
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print("\n".join(row[0] for row in cursor.fetchall()))
    finally:
        deleted, _ = DailyCount.objects.filter(listing_id__gte=BASE_ID).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM analytics_flushbatch WHERE token LIKE %s", [f"{epoch}:%"])
        if args.redis:
            import redis

            client = redis.Redis.from_url(args.redis)
            for keys in _batches(client.scan_iter(match="analyticsbench:*", count=1000)):
                client.delete(*keys)
        print(f"cleaned up {deleted:,} rows", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
