"""Writes of the analytics app: the flush of the buffer into daily counts, and the retention purge."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import buffer
from .models import DailyCount, FlushBatch

logger = logging.getLogger(__name__)

MAX_BACKLOG = 50_000  # generations older than this are past the buffer's timeout anyway
UPSERT_ROWS = 10_000

UPSERT_SQL = """
INSERT INTO analytics_dailycount (day, kind, listing_id, subject, count)
SELECT * FROM unnest(%s::date[], %s::varchar[], %s::bigint[], %s::varchar[], %s::bigint[])
ON CONFLICT (listing_id, day, kind, subject)
DO UPDATE SET count = analytics_dailycount.count + EXCLUDED.count
"""
CLAIM_SQL = """
INSERT INTO analytics_flushbatch (token, counters, events, flushed_at) VALUES (%s, %s, %s, %s)
ON CONFLICT (token) DO NOTHING RETURNING id
"""


@dataclass
class FlushResult:
    generations: int = 0
    counters: int = 0
    events: int = 0


def _write(token: str, contents: buffer.GenerationContents) -> bool:
    """Write a generation's counts and its token in one transaction; False when the token was written before."""
    counts = list(contents.counts.items())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [token, len(counts), contents.events, timezone.now()])
        if cursor.fetchone() is None:  # flushed before, its keys were not deleted (a crash): count nothing twice
            return False
        for start in range(0, len(counts), UPSERT_ROWS):
            chunk = counts[start : start + UPSERT_ROWS]
            cursor.execute(
                UPSERT_SQL,
                [
                    [c.day for c, _n in chunk],
                    [c.kind for c, _n in chunk],
                    [c.listing_id for c, _n in chunk],
                    [c.subject for c, _n in chunk],
                    [n for _c, n in chunk],
                ],
            )
    return True


def analytics_flush(*, settle: bool = True) -> FlushResult:
    """Move closed buffer generations into ``DailyCount`` (INSERT … ON CONFLICT DO UPDATE), each exactly once.

    Crash-safe in any order of failure: a generation's counts and its ``FlushBatch`` token commit together;
    its cache keys are deleted only after that commit, and a generation found again (the process died
    before deleting them, or before noting it flushed) is recognised by its token and only deleted.
    ``settle`` leaves the generation that just closed for the next run, so a writer that read its number
    just before the switch still lands in it; pass False only when no writer runs concurrently.
    """
    store = buffer.get_buffer()
    epoch = store.epoch()
    newest = store.advance()
    last = newest - 1 - (1 if settle else 0)
    first = max(store.flushed() + 1, last - MAX_BACKLOG)
    result = FlushResult()
    for generation in range(first, last + 1):
        contents = store.read(generation)
        if contents.counts and _write(f"{epoch}:{generation}", contents):
            result.generations += 1
            result.counters += len(contents.counts)
            result.events += contents.events
        store.forget(contents)
        store.flushed_set(generation)
    if result.generations:
        logger.info("analytics: flushed %s events in %s counters", result.events, result.counters)
    return result


def analytics_purge(*, today=None) -> int:
    """Delete daily counts older than ``ANALYTICS_RETENTION_DAYS`` (and stale flush records). Returns counts deleted."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    deleted, _per_model = DailyCount.objects.filter(day__lt=cutoff).delete()
    # A generation's token guards against a second write only while its keys may still be in the buffer.
    FlushBatch.objects.filter(
        flushed_at__lt=timezone.now() - timedelta(seconds=2 * settings.ANALYTICS_BUFFER_TIMEOUT)
    ).delete()
    return deleted
