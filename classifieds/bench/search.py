"""Benchmark of the search-results page: server-side latency for a fixed query mix.

    BOZOR_VAR_DIR=/work/benchvar100k .venv/bin/python -m classifieds.bench.search --listings 100000 --seed 1

Seeds up to ``--listings`` with ``seed_demo`` when the database has fewer, rebuilds the
search columns when they are missing, then requests each SRP of the mix through the
whole Django stack (middleware, view, backend, templates: full HTML with facets and
40 cards) with the test client, interleaved, and reports p50/p95/p99 and queries per
request for three set-ups on the same data:

- ``cold``: the PostgreSQL backend with no summary cache (every request counts);
- ``warm``: the same with the summary cache (count + facets reused until the TTL or the
  next indexing), as on a busy site where popular pages repeat;
- ``naive``: ``icontains`` on title/description, attribute filters on the EAV table,
  facets counted in Python (the baseline the design is compared with).

Not a test: it takes minutes at a million listings. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from classifieds.bench.load import USER_AGENT

MIX = [
    ("browse", "category browse", "/c/{cars}/"),
    ("filters", "category + 2 filters", "/c/{cars}/?attrs.make=chevrolet&attrs.transmission=automatic"),
    ("text", "text query", "/search/?q=cobalt"),
    (
        "text_filters_price",
        "text + filters + price sort",
        "/c/{cars}/?q=gentra&attrs.fuel=petrol&price_max=15000&currency=USD&sort=price_asc",
    ),
    ("deep", "deep page (20 of 25)", "/c/{cars}/?page=20"),
]
EXTRA = [
    ("broad_text", "broad text, all categories", "/search/?q=kvartira"),
    ("region", "top category in a region", "/c/{transport}/{region}/"),
]


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0
    total: str = ""

    def pct(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def percentiles(times: list[float]) -> tuple[float, float, float]:
    sample = Sample(times=times)
    return sample.pct(0.50), sample.pct(0.95), sample.pct(0.99)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, help="seed up to this many listings with seed_demo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query and set-up")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=5, help="timed runs of the naive set-up (slow)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the search columns even if present")
    parser.add_argument("--modes", default="cold,warm,naive")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
    import django

    django.setup()
    run(args)


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from classifieds.listings.models import Listing
    from classifieds.search.backends import get_search_backend
    from classifieds.taxonomy.models import Category, Location

    call_command("createcachetable", verbosity=0)
    existing = Listing.objects.count()
    if args.listings and existing < args.listings:
        print(f"seeding {args.listings - existing} listings…", file=sys.stderr)
        call_command("seed_demo", listings=args.listings - existing, seed=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listings_listing WHERE status = 'active' AND search_vector IS NULL")
        unindexed = cursor.fetchone()[0]
    if args.rebuild or unindexed:
        print(f"rebuilding search columns ({unindexed} active rows unindexed)…", file=sys.stderr)
        started = time.monotonic()
        get_search_backend().rebuild(progress=sys.stderr.isatty())
        print(f"rebuilt in {time.monotonic() - started:.0f}s", file=sys.stderr)
    _prewarm()

    cars = Category.objects.filter(slug_ru="legkovye-avtomobili").first() or _biggest_leaf()
    transport = Category.objects.get(pk=cars.path[0])
    region = Location.objects.filter(slug="tashkent").first() or Location.objects.roots().first()
    names = {"cars": cars.slug_ru, "transport": transport.slug_ru, "region": region.slug}
    queries = [(key, label, url.format(**names)) for key, label, url in MIX]
    extras = [(key, label, url.format(**names)) for key, label, url in EXTRA]

    modes = {
        "cold": {
            "BACKEND": "classifieds.search.backends.postgres.PostgresBackend",
            "OPTIONS": {"SUMMARY_CACHE_TTL": 0},
        },
        "warm": {
            "BACKEND": "classifieds.search.backends.postgres.PostgresBackend",
            "OPTIONS": {"SUMMARY_CACHE_TTL": 600},
        },
        "naive": {"BACKEND": "classifieds.bench.search.NaiveBackend", "OPTIONS": {"SUMMARY_CACHE_TTL": 0}},
    }
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.conf import settings

    storages["default"] = settings.STORAGES["default"]
    results: dict[str, dict[str, Sample]] = {}
    client = Client(HTTP_USER_AGENT=USER_AGENT)  # a person: the page's impressions are recorded, as for people
    for mode in [m for m in args.modes.split(",") if m]:
        runs = args.naive_runs if mode == "naive" else args.runs
        with override_settings(SEARCH_BACKENDS={"default": modes[mode]}, STORAGES=storages):
            samples = {key: Sample() for key, _label, _url in queries + extras}
            for key, _label, url in queries + extras:
                for _ in range(args.warmup if mode != "naive" else 1):
                    samples[key].status = client.get(url).status_code
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                samples[key].queries = len(captured)
                samples[key].total = _count_text(response)
            for _ in range(runs):
                for key, _label, url in queries + extras:
                    started = time.perf_counter()
                    response = client.get(url)
                    samples[key].times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
            results[mode] = samples
            print(f"{mode}: done", file=sys.stderr)
    print(report(results, queries, extras, args))


def report(results, queries, extras, args) -> str:
    from django.db import connection

    from classifieds.listings.models import Listing

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', "
            "'max_parallel_workers_per_gather', 'jit', 'server_version')"
        )
        pg = {name: f"{setting}{unit or ''}" for name, setting, unit in cursor.fetchall()}
    total = Listing.objects.count()
    active = Listing.objects.active().count()
    lines = [
        f"### {total:,} listings ({active:,} visible) — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {pg.get('server_version')} "
        f"(shared_buffers {pg.get('shared_buffers')}, work_mem {pg.get('work_mem')}, "
        f"parallel workers/gather {pg.get('max_parallel_workers_per_gather')}, jit {pg.get('jit')}); "
        f"{args.runs} timed runs per query"
        f"{f' (naive: {args.naive_runs})' if 'naive' in results else ''} after {args.warmup} warm-up runs, "
        "queries interleaved; time = full SRP response through Django (HTML with facets and 40 cards).",
        "",
        "| query | results | cold p50 / p95 / p99 ms | warm p50 / p95 / p99 ms | SQL queries (cold/warm) "
        "| naive p50 / p95 ms | naive ÷ cold (p50) |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(mode, key, with_p99=True):
        sample = results.get(mode, {}).get(key)
        if not sample or not sample.times:
            return "–"
        p50, p95, p99 = percentiles(sample.times)
        return f"{p50:.1f} / {p95:.1f} / {p99:.1f}" if with_p99 else f"{p50:.0f} / {p95:.0f}"

    for key, label, url in queries + extras:
        cold = results.get("cold", {}).get(key)
        warm = results.get("warm", {}).get(key)
        naive = results.get("naive", {}).get(key)
        ratio = "–"
        if cold and naive and cold.times and naive.times:
            ratio = f"{statistics.median(naive.times) / statistics.median(cold.times):.0f}×"
        extra = " (extra)" if (key, label, url) in extras else ""
        lines.append(
            f"| {label}{extra} `{url}` | {(cold or warm or naive).total} | {cell('cold', key)} | {cell('warm', key)} "
            f"| {cold.queries if cold else '–'} / {warm.queries if warm else '–'} "
            f"| {cell('naive', key, with_p99=False)} | {ratio} |"
        )
    for mode in ("cold", "warm", "naive"):
        if mode not in results:
            continue
        times = [t for key, _l, _u in queries for t in results[mode][key].times]
        p50, p95, p99 = percentiles(times)
        lines.append(f"| **mix of the five, {mode}** | | **{p50:.1f} / {p95:.1f} / {p99:.1f}** | | | | |")
    return "\n".join(lines)


def _count_text(response) -> str:
    import re

    match = re.search(r'<p class="count">\s*(.*?)\s*(<span|</p>)', response.content.decode(), re.S)
    return " ".join(match.group(1).split()) if match else ""


def _biggest_leaf():
    from django.db.models import Count

    from classifieds.taxonomy.models import Category

    return Category.objects.filter(is_leaf=True).annotate(n=Count("listings")).order_by("-n").first()


def _prewarm() -> None:
    """Load the listings table and its search indexes into memory, as on a warmed-up server."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT c.relname, pg_prewarm(c.oid) FROM pg_class c "
            "WHERE c.relname = 'listings_listing' OR c.relname LIKE 'listing_srp_%' "
            "OR c.relname IN ('listings_listing_pkey', 'search_facetcount', 'media_listingphoto')"
        )
        cursor.fetchall()


# --- the baseline -------------------------------------------------------------------------------


def NaiveBackend(alias: str, config: dict[str, Any]):  # noqa: N802  (a factory named like the class it returns)
    """Built lazily so importing this module does not need Django set up."""
    return _naive_class()(alias, config)


def _naive_class():
    from bisect import bisect_right

    from django.db.models import Exists, OuterRef, Q

    from classifieds.listings.models import Listing, ListingAttributeValue
    from classifieds.media.models import ListingPhoto
    from classifieds.taxonomy.models import Category, Location

    from .backends.base import SearchBackend
    from .query import (
        BOOLEAN,
        CATEGORY,
        CONDITION_VALUES,
        LOCATION,
        PHOTO,
        PRICE_LADDER,
        SELLER_VALUES,
        Facets,
        Summary,
    )

    conditions = {v: k for k, v in CONDITION_VALUES.items()}

    class Naive(SearchBackend):
        """icontains on title and description, EAV filters, facets counted in Python."""

        def index(self, listing_ids):
            pass

        def delete(self, listing_ids):
            pass

        def _queryset(self, query, skip=""):
            qs = Listing.objects.active()
            if query.category_id:
                qs = qs.filter(category__path__contains=[query.category_id])
            if query.location_id:
                qs = qs.filter(location__path__contains=[query.location_id])
            for word in query.q.split():
                qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
            for option in query.options:
                if option.group == skip:
                    continue
                if option.group == "condition":
                    qs = qs.filter(condition__in=[conditions[v] for v in option.values])
                elif option.group == "seller":
                    qs = qs.filter(owner__is_business=SELLER_VALUES["business"] in option.values)
                elif option.values[0] >= BOOLEAN:
                    attrs = ListingAttributeValue.objects.filter(
                        listing=OuterRef("pk"), attribute_id=option.values[0] - BOOLEAN, value_bool=True
                    )
                    qs = qs.filter(Exists(attrs))
                else:
                    attrs = ListingAttributeValue.objects.filter(listing=OuterRef("pk"), option_id__in=option.values)
                    qs = qs.filter(Exists(attrs))
            for bound in query.ranges:
                attrs = ListingAttributeValue.objects.filter(listing=OuterRef("pk"), attribute__key=bound.key)
                if bound.low is not None:
                    attrs = attrs.filter(value_number__gte=bound.low)
                if bound.high is not None:
                    attrs = attrs.filter(value_number__lte=bound.high)
                qs = qs.filter(Exists(attrs))
            if skip != "price":
                if query.price_min_uzs is not None:
                    qs = qs.filter(price_uzs__gte=query.price_min_uzs)
                if query.price_max_uzs is not None:
                    qs = qs.filter(price_uzs__lte=query.price_max_uzs)
            if query.with_photo:
                qs = qs.filter(Exists(ListingPhoto.objects.filter(listing=OuterRef("pk"))))
            return qs

        def ids(self, query, *, offset, limit):
            order = {
                "relevance": ("-refreshed_at", "-id"),
                "newest": ("-refreshed_at", "-id"),
                "price_asc": ("price_uzs", "id"),
                "price_desc": ("-price_uzs", "-id"),
            }[query.sort]
            return list(self._queryset(query).order_by(*order).values_list("pk", flat=True)[offset : offset + limit])

        def compute_summary(self, query):
            facets = Facets()
            total, facets.values, price = self._count(query)
            if query.has_price:
                _t, _v, price = self._count(query, skip="price")
            facets.price = price
            for option in query.options:
                facets.by_group[option.group] = self._count(query, skip=option.group)[1]
            return Summary(total=total, facets=facets)

        def _count(self, query, skip=""):
            qs = self._queryset(query, skip=skip)
            rows = list(
                qs.values_list("pk", "category_id", "location_id", "condition", "price_uzs", "owner__is_business")
            )
            cat_paths = dict(Category.objects.values_list("pk", "path"))
            loc_paths = dict(Location.objects.values_list("pk", "path"))
            counts: Counter = Counter()
            prices: Counter = Counter()
            for _pk, category, location, condition, price_uzs, business in rows:
                counts.update(CATEGORY + c for c in cat_paths[category])
                counts.update(LOCATION + c for c in loc_paths[location])
                if condition:
                    counts[CONDITION_VALUES[condition]] += 1
                counts[SELLER_VALUES["business" if business else "private"]] += 1
                if price_uzs is not None:
                    prices[bisect_right(PRICE_LADDER, price_uzs)] += 1
            values = ListingAttributeValue.objects.filter(listing__in=qs).values_list(
                "option_id", "attribute_id", "value_bool"
            )
            for option, attribute, boolean in values:
                if option:
                    counts[option] += 1
                elif boolean:
                    counts[BOOLEAN + attribute] += 1
            photos = ListingPhoto.objects.filter(listing__in=qs).values_list("listing_id", flat=True).distinct()
            counts[PHOTO] = len(list(photos))
            return len(rows), dict(counts), dict(prices)

    return Naive


if __name__ == "__main__":
    main()
