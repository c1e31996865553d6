"""The event buffer: counters grouped in flush generations, in a cache, until the flush writes them out.

Writers read the current generation number and add to its counters; the flush advances the number,
so new events go to the next generation, and moves closed generations to the database. Two stores:

- ``CacheBuffer``, any Django cache (the embedded default: this process's locmem cache; the database
  cache would be a write per request). A counter is a key ``incr``-ed; ``add`` creates it and
  registers it in the generation's slot list, since the cache API cannot list keys.
- ``RedisBuffer``, when ``ANALYTICS_CACHE`` names a Redis cache (production): a page's events cost one
  round trip, a Lua script that takes the dedupe key of every card (``SET NX``) and counts the new ones
  into the current generation's hash (``HINCRBY``), instead of round trips per card through the cache API.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache as memoize

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache

GENERATION = "an:gen"  # the generation writers write to
FLUSHED = "an:flushed"  # the last generation moved to the database
EPOCH = "an:epoch"  # names this buffer: a wiped cache (or a new process's locmem) starts a new epoch
CHUNK = 5_000  # keys per get_many/delete_many


@dataclass(frozen=True, slots=True)
class Counter:
    day: date
    kind: str
    listing_id: int
    subject: str


@dataclass
class GenerationContents:
    """What a closed generation holds, and every key to delete once it is in the database."""

    counts: dict[Counter, int]
    keys: list[str]

    @property
    def events(self) -> int:
        return sum(self.counts.values())


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _timeout() -> int:
    return settings.ANALYTICS_BUFFER_TIMEOUT


class CacheBuffer:
    """Counters as keys of a Django cache (atomic ``incr`` where the backend has it)."""

    def __init__(self, cache: BaseCache) -> None:
        self.cache = cache

    @staticmethod
    def counter_key(generation: int, counter: Counter) -> str:
        # Hashed: a subject (a search term) may hold spaces or be long; cache keys must stay portable.
        raw = f"{counter.day.isoformat()}|{counter.kind}|{counter.listing_id}|{counter.subject}"
        return f"an:c:{generation}:{hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()}"

    def first_seen(self, keys: list[str], timeout: int) -> list[bool]:
        """For each dedupe key, whether it is new (and now taken until ``timeout``)."""
        return [self.cache.add(key, 1, timeout=timeout) for key in keys]

    def count_first(self, keys: list[str], counters: list[Counter], timeout: int) -> int:
        """Count one event for each counter whose dedupe key is new (taken until ``timeout``); how many counted."""
        fresh = [counter for counter, new in zip(counters, self.first_seen(keys, timeout), strict=True) if new]
        if fresh:
            self.add((counter, 1) for counter in fresh)
        return len(fresh)

    def _incr(self, key: str, delta: int = 1) -> int:
        try:
            return self.cache.incr(key, delta)
        except ValueError:  # not there yet (or expired): create it, then count (another writer may have won)
            if self.cache.add(key, delta, timeout=_timeout()):
                return delta
            return self.cache.incr(key, delta)

    def current(self) -> int:
        return int(self.cache.get(GENERATION) or 0)

    def add(self, counters: Iterable[tuple[Counter, int]]) -> None:
        """Count ``n`` events for each counter in the current generation."""
        generation, timeout = self.current(), _timeout()
        for counter, n in counters:
            key = self.counter_key(generation, counter)
            try:
                self.cache.incr(key, n)  # most events land on a counter that exists already
                continue
            except ValueError:
                pass
            if self.cache.add(key, n, timeout=timeout):  # a new counter: register it so the flush finds it
                slot = self._incr(f"an:n:{generation}")
                entry = (key, counter.day.isoformat(), counter.kind, counter.listing_id, counter.subject)
                self.cache.set(f"an:k:{generation}:{slot}", entry, timeout=timeout)
            else:  # another writer created it meanwhile
                self._incr(key, n)

    def epoch(self) -> str:
        if self.cache.get(EPOCH) is None:
            self.cache.add(EPOCH, uuid.uuid4().hex, timeout=None)
        return str(self.cache.get(EPOCH))

    def advance(self) -> int:
        """Start a new generation (writers move to it); returns the new generation's number."""
        self.cache.add(GENERATION, 0, timeout=None)
        return int(self.cache.incr(GENERATION))

    def read(self, generation: int) -> GenerationContents:
        """A closed generation's counters (nothing is deleted here)."""
        slots = int(self.cache.get(f"an:n:{generation}") or 0)
        slot_keys = [f"an:k:{generation}:{slot}" for slot in range(1, slots + 1)]
        entries: list[tuple] = []
        for chunk in _chunks(slot_keys):
            entries.extend(self.cache.get_many(chunk).values())
        counts: dict[Counter, int] = {}
        for chunk in _chunks(entries):
            values = self.cache.get_many([entry[0] for entry in chunk])
            for key, day, kind, listing_id, subject in chunk:
                if n := int(values.get(key) or 0):
                    counter = Counter(date.fromisoformat(day), kind, int(listing_id), subject)
                    counts[counter] = counts.get(counter, 0) + n
        return GenerationContents(counts, [f"an:n:{generation}", *slot_keys, *(entry[0] for entry in entries)])

    def forget(self, contents: GenerationContents) -> None:
        for chunk in _chunks(contents.keys):
            self.cache.delete_many(chunk)

    def flushed(self) -> int:
        value = self.cache.get(FLUSHED)
        return -1 if value is None else int(value)

    def flushed_set(self, generation: int) -> None:
        self.cache.set(FLUSHED, generation, timeout=None)


class RedisBuffer:
    """Counters as fields of one Redis hash per generation, written by a script (``count_first``) or a pipeline."""

    def __init__(self, client, prefix: str) -> None:
        self.client = client
        self.prefix = f"{prefix}:" if prefix else ""

    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _hash(self, generation: int) -> str:
        return self._key(f"an:h:{generation}")

    @staticmethod
    def field(counter: Counter) -> str:
        return f"{counter.day.isoformat()}|{counter.kind}|{counter.listing_id}|{counter.subject}"

    def count_first(self, keys: list[str], counters: list[Counter], timeout: int) -> int:
        """``CacheBuffer.count_first`` as one command (a page of 40 cards: one round trip, not 40 or more)."""
        args = [timeout, self._key(GENERATION), self._key("an:h:"), _timeout(), *map(self.field, counters)]
        return int(_count_first_script(self.client)(keys=[self._key(key) for key in keys], args=args))

    def current(self) -> int:
        return int(self.client.get(self._key(GENERATION)) or 0)

    def add(self, counters: Iterable[tuple[Counter, int]]) -> None:
        name = self._hash(self.current())
        pipe = self.client.pipeline(transaction=False)
        for counter, n in counters:
            pipe.hincrby(name, self.field(counter), n)
        pipe.expire(name, _timeout())
        pipe.execute()

    def epoch(self) -> str:
        self.client.set(self._key(EPOCH), uuid.uuid4().hex, nx=True)
        return self.client.get(self._key(EPOCH)).decode()

    def advance(self) -> int:
        return int(self.client.incr(self._key(GENERATION)))

    def read(self, generation: int) -> GenerationContents:
        counts: dict[Counter, int] = {}
        for field, value in self.client.hscan_iter(self._hash(generation), count=CHUNK):
            day, kind, listing_id, subject = field.decode().split("|", 3)
            if n := int(value):
                counts[Counter(date.fromisoformat(day), kind, int(listing_id), subject)] = n
        return GenerationContents(counts, [self._hash(generation)])

    def forget(self, contents: GenerationContents) -> None:
        self.client.delete(*contents.keys)

    def flushed(self) -> int:
        value = self.client.get(self._key(FLUSHED))
        return -1 if value is None else int(value)

    def flushed_set(self, generation: int) -> None:
        self.client.set(self._key(FLUSHED), generation)


# KEYS: the dedupe keys. ARGV: their TTL, the generation's key, the prefix of the generations' hashes, a hash's
# TTL, then each dedupe key's counter field. Atomic, so a flush never closes a generation between the read of
# its number and the count. (The hash's name is built inside: a standalone Redis, not a cluster.)
COUNT_FIRST = """
local generation = redis.call('GET', ARGV[2]) or '0'
local hash = ARGV[3] .. generation
local counted = 0
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, 1, 'NX', 'EX', ARGV[1]) then
    redis.call('HINCRBY', hash, ARGV[4 + i], 1)
    counted = counted + 1
  end
end
if counted > 0 then
  redis.call('EXPIRE', hash, ARGV[4])
end
return counted
"""


@memoize
def _count_first_script(client):
    return client.register_script(COUNT_FIRST)  # EVALSHA, and EVAL when Redis has not seen it yet


@memoize
def _redis_client(url: str, timeouts: tuple[tuple[str, float], ...] = ()):
    import redis

    return redis.Redis.from_url(url, **dict(timeouts))


def get_buffer() -> CacheBuffer | RedisBuffer:
    """The buffer of ``settings.ANALYTICS_CACHE``: pipelined Redis for a Redis cache, else the cache API.

    Any Redis cache, production's ``ResilientRedisCache`` included (it once fell through to the cache API:
    a round trip per card of a page). Its client gets the cache's timeouts: a Redis that stops answering
    must cost a page those, not the operating system's minutes."""
    alias = settings.ANALYTICS_CACHE
    config = settings.CACHES[alias]
    if isinstance(caches[alias], RedisCache):
        location = config["LOCATION"]
        url = location[0] if isinstance(location, list | tuple) else str(location).split(",")[0]
        options = config.get("OPTIONS", {})
        timeouts = tuple(
            (name, options[name]) for name in ("socket_connect_timeout", "socket_timeout") if name in options
        )
        return RedisBuffer(_redis_client(url, timeouts), config.get("KEY_PREFIX", ""))
    return CacheBuffer(caches[alias])
