"""``manage.py seed_demo``: demo listings at scale (see ``classifieds.demo``)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifieds.demo.load import parse_now, seed_demo
from classifieds.listings.models import Listing


class Command(BaseCommand):
    help = (
        "Append N believable demo listings (sellers, attribute values, photos from a shared pool) with COPY. "
        "Deterministic: the same --seed and --now over the same catalog give identical data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listings", type=int, default=3000, help="how many listings to add (default 3000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any listing exists")
        parser.add_argument("--batch", type=int, default=20_000, help="listings per COPY round (default 20000)")
        parser.add_argument(
            "--now",
            help="ISO datetime the dates are anchored to (default: now, truncated to the hour); "
            "determinism holds for the same --now",
        )
        parser.add_argument(
            "--indexes",
            choices=["auto", "rebuild", "keep"],
            default="auto",
            help="drop and rebuild secondary indexes and foreign keys around the load (auto: for large loads)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        """Seed, or skip with --if-empty when listings exist."""
        if options["if_empty"] and Listing.objects.exists():
            self.stdout.write("Listings already exist; seed_demo skipped (--if-empty).")
            return
        if options["listings"] < 0:
            raise CommandError("--listings must be positive")
        try:
            now = parse_now(options["now"])
        except ValueError as exc:
            raise CommandError(f"--now: {exc}") from exc
        started = time.monotonic()
        try:
            result = seed_demo(
                listings=options["listings"],
                seed=options["seed"],
                now=now,
                batch_size=options["batch"],
                progress=not options["no_progress"] and sys.stderr.isatty(),
                rebuild_indexes={"auto": None, "rebuild": True, "keep": False}[options["indexes"]],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.listings} listings, {result.attribute_values} attribute values, "
                f"{result.photos} photos ({result.photo_files} image files), {result.users} sellers "
                f"in {elapsed:.1f}s (seed {options['seed']}, now {now.isoformat()}"
                f"{', indexes rebuilt' if result.indexes_rebuilt else ''})."
            )
        )
        if result.phases:
            self.stdout.write(
                "Phases: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result.phases.items())
            )
        if result.listings:
            # COPY bypasses the services (and their search outbox): the load computed the new listings'
            # search columns; the vocabulary, the precomputed counts (and OpenSearch's index) follow, once.
            from classifieds.search.backends import get_search_backend

            started = time.monotonic()
            get_search_backend().rebuild(progress=not options["no_progress"] and sys.stderr.isatty(), columns=False)
            self.stdout.write(f"Search vocabulary and counts rebuilt in {time.monotonic() - started:.1f}s.")
