"""Load benchmark: mixed anonymous browsing against gunicorn with production settings, over loopback.

    BOZOR_VAR_DIR=/work/benchvar100k .venv/bin/python -m classifieds.bench.load --listings 100000

Seeds up to ``--listings`` with ``seed_demo`` when the database has fewer, collects static files,
starts the Procfile's gunicorn (``DJANGO_DEBUG`` off, ``--workers``) on a free port, waits for
``/healthz``, then runs ``--concurrency`` closed-loop virtual visitors (keep-alive, no think time,
``Accept-Encoding: gzip`` as browsers send) for ``--warmup`` seconds unmeasured and ``--duration``
seconds measured. The visitors are ``wrk`` (Debian's package; ``load.lua``), so that the client
takes little of the CPU the server is measured on; ``--client httpx`` runs them in Python instead
(asyncio + httpx), which costs the server a quarter to a third of a core at these rates. Each
visitor picks pages from a fixed mix (seeded: the same URLs in the same order for the same
``--seed``): home, category and region pages (some filtered, some page 2), text searches and
listing details (popular listings more often, Zipf-like, as on a real site). Reports requests per
second, p50/p95/p99 latency, errors (status ≥ 400 or transport failures) and the share of answers
from the anonymous page cache (``X-Page-Cache: hit``), overall and per kind of page, and the CPU
the client itself used.

Page-cache keys include the host, and each run starts gunicorn on a new port: every run starts from
an empty page cache. A ``--warmup`` long enough to walk the mix once (about 60 s) measures the
steady state of a warm cache instead.

Not a test: it takes a minute and the whole machine. Figures go to ``docs/load-benchmark.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Visitors are people on phones: a crawler's or a script's user agent would skip the work a person's visit
# costs (view counts, impressions and their visitor cookie: classifieds.analytics.events.is_bot).
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)

# Share of each kind of page in the mix (anonymous browsing on a classifieds site: mostly lists and details).
MIX = {"home": 0.10, "category": 0.30, "filtered": 0.10, "search": 0.10, "detail": 0.40}


@dataclass
class Stats:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    hits: int = 0

    def pct(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000 if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_urls(seed: int, count: int = 4000) -> list[tuple[str, str]]:
    """(kind, path) pairs of the mix, from the database (Django must be set up)."""
    from classifieds.listings.models import Listing
    from classifieds.taxonomy.models import Category, Location

    rng = random.Random(seed)
    categories = list(Category.objects.order_by("pk").values_list("slug_ru", "is_leaf"))
    leaves = [slug for slug, leaf in categories if leaf]
    regions = list(Location.objects.filter(parent__isnull=True).order_by("pk").values_list("slug", flat=True))
    words = ["kvartira", "cobalt", "iphone", "divan", "nexia", "samsung", "velosiped", "noutbuk", "gentra", "shkaf"]
    newest = list(Listing.objects.active().order_by("-refreshed_at").values_list("pk", "slug")[:5000])
    if not newest or not leaves:
        raise SystemExit("no listings or categories: seed the database first")
    # Zipf-like popularity over the newest listings: the first is looked at most.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(newest))]
    kinds, shares = list(MIX), list(MIX.values())
    urls = []
    for _ in range(count):
        kind = rng.choices(kinds, shares)[0]
        if kind == "home":
            path = rng.choice(["/", "/uz/"])
        elif kind == "category":
            slug = rng.choice([slug for slug, _ in categories])
            path = f"/c/{slug}/"
            roll = rng.random()
            if roll < 0.3:
                path += f"{rng.choice(regions)}/"
            elif roll < 0.45:
                path += "?page=2"
        elif kind == "filtered":
            path = f"/c/{rng.choice(leaves)}/?{rng.choice(['condition=used', 'photo=1', 'sort=price_asc', 'condition=new'])}"
        elif kind == "search":
            path = f"/search/?q={rng.choice(words)}"
        else:
            pk, slug = rng.choices(newest, weights)[0]
            path = f"/l/{pk}-{slug}/"
        urls.append((kind, path))
    return urls


async def visitor(client, urls, offset: int, stop_at: float, measure_from: float, stats, total) -> None:
    index = offset
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            return
        kind, path = urls[index % len(urls)]
        index += 7  # visitors walk the list with different strides through different parts
        started = time.perf_counter()
        try:
            response = await client.get(path)
            failed = response.status_code >= 400
            hit = response.headers.get("X-Page-Cache") == "hit"
        except Exception:  # noqa: BLE001  (a transport failure is an error of the run, counted)
            failed, hit = True, False
        elapsed = time.perf_counter() - started
        if started >= measure_from:
            for bucket in (stats[kind], total):
                bucket.times.append(elapsed)
                bucket.errors += failed
                bucket.hits += hit


async def run_load(base_url: str, urls, *, concurrency: int, warmup: float, duration: float):
    import httpx

    stats: dict[str, Stats] = defaultdict(Stats)
    total = Stats()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"User-Agent": USER_AGENT}
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=10, follow_redirects=False, headers=headers
    ) as client:
        start = time.perf_counter()
        measure_from = start + warmup
        stop_at = measure_from + duration
        await asyncio.gather(
            *(
                visitor(client, urls, i * (len(urls) // concurrency), stop_at, measure_from, stats, total)
                for i in range(concurrency)
            )
        )
    return stats, total


def run_wrk(base_url: str, urls, *, concurrency: int, warmup: float, duration: float):
    """The same visitors in wrk (``load.lua``): a warm-up run whose answers are dropped, then the measured one."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk not found: install Debian's package (apt-get install wrk), or pass --client httpx")
    stats: dict[str, Stats] = defaultdict(Stats)
    total = Stats()
    with tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "urls.tsv"
        url_file.write_text("".join(f"{kind}\t{path}\n" for kind, path in urls))
        for seconds, measured in ((warmup, False), (duration, True)):
            if seconds <= 0:
                continue
            out = Path(tmp) / ("run" if measured else "warmup")
            out.mkdir()
            command = [wrk, "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds:.0f}s", "--timeout", "10s"]
            command += ["-H", f"User-Agent: {USER_AGENT}"]
            command += [
                "-s",
                str(Path(__file__).with_name("load.lua")),
                base_url,
                "--",
                str(url_file),
                str(concurrency),
            ]
            subprocess.run(command, check=True, capture_output=True, env={**os.environ, "BOZOR_WRK_OUT": str(out)})  # noqa: S603
            if not measured:
                continue
            total.errors += int((out / "transport").read_text())  # failures without an answer, of no kind
            for answers in out.glob("*.tsv"):
                for line in answers.read_text().splitlines():
                    kind, micros, hit, status = line.split("\t")
                    for bucket in (stats[kind], total):
                        bucket.times.append(int(micros) / 1e6)
                        bucket.errors += int(status) >= 400
                        bucket.hits += hit == "1"
    return stats, total


def start_gunicorn(port: int, workers: int, var_dir: str, threads: int = 1) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "classifieds.settings",
        "DJANGO_DEBUG": "0",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "BOZOR_VAR_DIR": var_dir,
        "PYTHONUNBUFFERED": "1",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "classifieds.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--threads", str(threads), "--timeout", "30", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603  (our own command)


def wait_ready(base_url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {base_url}/healthz in {timeout} s")


def report(stats: dict[str, Stats], total: Stats, duration: float, args, client_cpu: float) -> str:
    lines = [
        f"{len(total.times)} requests in {duration:.0f} s, concurrency {args.concurrency}, "
        f"{args.workers} gunicorn workers × {args.threads} threads, load average {os.getloadavg()[0]:.1f}",
        f"client: {args.client}, {client_cpu:.1f} s of CPU in warm-up and run "
        f"({100 * client_cpu / (args.warmup + duration):.0f} % of one core)",
        "",
        "| pages | requests | RPS | p50 ms | p95 ms | p99 ms | errors | page-cache hits |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = [*((kind, stats[kind]) for kind in MIX if kind in stats), ("**all**", total)]
    for name, s in rows:
        n = len(s.times)
        lines.append(
            f"| {name} | {n} | {n / duration:.0f} | {s.pct(0.5):.1f} | {s.pct(0.95):.1f} | {s.pct(0.99):.1f} "
            f"| {s.errors} | {100 * s.hits / max(n, 1):.0f}% |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, help="seed up to this many listings with seed_demo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=30, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10, help="unmeasured seconds first (caches fill)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (Procfile: WEB_CONCURRENCY=3)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync workers, as Procfile)")
    parser.add_argument("--url", help="an already running server instead of starting gunicorn")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk", help="who plays the visitors")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would be the output
    from django.conf import settings
    from django.core.management import call_command

    from classifieds.listings.models import Listing

    if args.listings and Listing.objects.count() < args.listings:
        call_command("seed_demo", listings=args.listings - Listing.objects.count(), seed=args.seed)
    call_command("createcachetable", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    urls = build_urls(args.seed)

    server = None
    base_url = args.url
    if base_url is None:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = start_gunicorn(port, args.workers, str(settings.VAR_DIR), args.threads)
    try:
        wait_ready(base_url)
        before = _cpu_seconds(args.client)
        options = {"concurrency": args.concurrency, "warmup": args.warmup, "duration": args.duration}
        if args.client == "wrk":
            stats, total = run_wrk(base_url, urls, **options)
        else:
            stats, total = asyncio.run(run_load(base_url, urls, **options))
        client_cpu = _cpu_seconds(args.client) - before
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(report(stats, total, args.duration, args, client_cpu))


def _cpu_seconds(client: str) -> float:
    """CPU used so far by the client: wrk runs as a child (counted once it has exited), httpx in this process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if client == "wrk" else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
