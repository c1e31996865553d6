"""The flush: buffered counters into daily counts, exactly once, whatever crashes; and the retention purge.

Each test runs on every buffer store: this process's memory (the embedded default), the database cache
through the cache API, and Redis with pipelines (production).
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from classifieds.analytics.buffer import CacheBuffer, Counter, RedisBuffer, get_buffer
from classifieds.analytics.models import DailyCount, EventKind, FlushBatch
from classifieds.analytics.services import analytics_flush, analytics_purge

from .helpers import counted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("buffer_store")]

K = EventKind
DAY = date(2026, 12, 1)


def add(listing_id: int, n: int = 1, kind: str = K.VIEW, day: date = DAY) -> None:
    get_buffer().add([(Counter(day, kind, listing_id, ""), n)])


class TestFlush:
    def test_it_moves_the_counters_into_daily_counts_and_empties_the_buffer(self):
        add(1, 3)
        add(2, 1, K.IMPRESSION)
        add(1, 2)
        result = analytics_flush(settle=False)
        assert (result.generations, result.counters, result.events) == (1, 2, 6)
        assert counted(K.VIEW, 1) == 5 and counted(K.IMPRESSION, 2) == 1
        assert analytics_flush(settle=False).events == 0  # nothing left over
        assert counted(K.VIEW, 1) == 5

    def test_a_later_flush_adds_to_the_same_day(self):
        add(1, 3)
        analytics_flush(settle=False)
        add(1, 4)
        analytics_flush(settle=False)
        assert list(DailyCount.objects.values_list("listing_id", "day", "kind", "count")) == [(1, DAY, K.VIEW, 7)]

    def test_settling_leaves_the_generation_that_just_closed_to_the_next_run(self):
        add(1, 3)
        assert analytics_flush().events == 0  # a writer may still be adding to it
        add(1, 1)  # a new generation
        assert analytics_flush().events == 3
        assert analytics_flush().events == 1
        assert counted(K.VIEW, 1) == 4

    def test_a_writer_late_into_a_closed_generation_is_not_lost(self, monkeypatch):
        store = get_buffer()
        late = store.current()
        add(1, 1)
        store.advance()  # the flush switches generations…
        monkeypatch.setattr(type(store), "current", lambda self: late)  # …while a writer still holds the old number
        add(1, 1)
        monkeypatch.undo()
        analytics_flush()
        analytics_flush()
        assert counted(K.VIEW, 1) == 2

    def test_the_store_follows_the_cache_it_is_given(self, buffer_store):
        expected = {"memory": CacheBuffer, "database": CacheBuffer, "redis": RedisBuffer}[buffer_store]
        store = get_buffer()
        assert isinstance(store, expected)
        if buffer_store == "redis":  # production's cache class, and its timeouts on the buffer's own client
            pool = store.client.connection_pool.connection_kwargs
            assert pool["socket_timeout"] == pool["socket_connect_timeout"] == 0.25


class TestCrash:
    def test_dying_after_the_commit_before_deleting_counts_nothing_twice(self, monkeypatch):
        add(1, 3)

        def die(self, contents):
            raise SystemExit("worker killed")

        monkeypatch.setattr(type(get_buffer()), "forget", die)
        with pytest.raises(SystemExit):
            analytics_flush(settle=False)
        monkeypatch.undo()
        assert counted(K.VIEW, 1) == 3  # written, the buffer still holds it
        add(1, 1)
        analytics_flush(settle=False)  # finds the generation again: recognised by its token, only deleted
        assert counted(K.VIEW, 1) == 4
        assert FlushBatch.objects.count() == 2

    def test_dying_while_writing_loses_nothing(self):
        add(1, 3)
        add(2, 2)

        def die(execute, sql, params, many, context):
            if "analytics_dailycount" in sql and sql.lstrip().startswith("INSERT"):
                raise SystemExit("worker killed mid-write")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(die), pytest.raises(SystemExit):
            analytics_flush(settle=False)
        assert DailyCount.objects.count() == 0 and FlushBatch.objects.count() == 0  # rolled back together
        analytics_flush(settle=False)
        assert (counted(K.VIEW, 1), counted(K.VIEW, 2)) == (3, 2)

    def test_dying_before_noting_the_generation_flushed_counts_nothing_twice(self, monkeypatch):
        add(1, 3)
        store_type = type(get_buffer())
        monkeypatch.setattr(store_type, "flushed_set", lambda self, generation: None)
        analytics_flush(settle=False)
        before = get_buffer().flushed()
        monkeypatch.undo()
        add(1, 1)
        analytics_flush(settle=False)
        assert counted(K.VIEW, 1) == 4
        assert get_buffer().flushed() > before


@pytest.mark.parametrize("buffer_store", ["memory"], indirect=True)
class TestPurge:
    def test_counts_older_than_the_retention_go(self, settings):
        settings.ANALYTICS_RETENTION_DAYS = 30
        today = timezone.localdate()
        for age in (0, 29, 30, 31, 400):
            DailyCount.objects.create(day=today - timedelta(days=age), kind=K.VIEW, listing_id=1, count=1)
        assert analytics_purge(today=today) == 2
        assert sorted((today - d).days for d in DailyCount.objects.values_list("day", flat=True)) == [0, 29, 30]

    def test_flush_records_go_once_no_buffer_key_can_need_them(self, settings):
        settings.ANALYTICS_BUFFER_TIMEOUT = 3600
        FlushBatch.objects.create(token="old:1", flushed_at=timezone.now() - timedelta(hours=3))
        FlushBatch.objects.create(token="recent:1", flushed_at=timezone.now() - timedelta(hours=1))
        analytics_purge()
        assert list(FlushBatch.objects.values_list("token", flat=True)) == ["recent:1"]


@pytest.mark.parametrize("buffer_store", ["memory"], indirect=True)
class TestProcessFlusher:
    @pytest.mark.django_db(transaction=True)
    def test_a_web_process_flushes_its_own_memory_buffer(self, settings):
        """The embedded default: the buffer is this process's memory, so this process writes it out."""
        from classifieds.analytics.events import record

        from .helpers import visitor_request

        settings.ANALYTICS_PROCESS_FLUSH_SECONDS = 1
        record(visitor_request(), kind=K.VIEW, listing_id=77)
        flusher = next(t for t in threading.enumerate() if t.name == "analytics-flush")
        deadline = time.monotonic() + 20
        while not counted(K.VIEW, 77) and time.monotonic() < deadline:
            time.sleep(0.2)
        settings.ANALYTICS_PROCESS_FLUSH_SECONDS = 0
        flusher.join(timeout=10)
        assert counted(K.VIEW, 77) == 1
        assert not flusher.is_alive()
