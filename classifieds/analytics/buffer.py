"""The event buffer: counters in a Django cache, grouped in flush generations.

A counter counts one (day, kind, listing, subject) in one *generation*. Writers read the current
generation number and ``incr`` its counter (``add`` creates it and registers it in the generation's
slot list, so the flush can find it: the cache API cannot list keys). The flush advances the
generation, so new events go to the next one, and moves closed generations to the database.

The cache is ``settings.ANALYTICS_CACHE``: Redis in production (shared by web and worker, atomic
``incr``), a per-process locmem cache on the embedded default (the database cache would mean a
write per request), flushed by that process itself (see ``events``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import BaseCache, caches

GENERATION_KEY = "an:gen"  # the generation writers write to
FLUSHED_KEY = "an:flushed"  # the last generation moved to the database
EPOCH_KEY = "an:epoch"  # names this buffer: a wiped cache (or a new process's locmem) starts a new epoch
CHUNK = 5_000  # keys per get_many/delete_many


@dataclass(frozen=True, slots=True)
class Counter:
    day: date
    kind: str
    listing_id: int
    subject: str


def buffer_cache() -> BaseCache:
    return caches[settings.ANALYTICS_CACHE]


def _timeout() -> int:
    return settings.ANALYTICS_BUFFER_TIMEOUT


def _slots_key(generation: int) -> str:
    return f"an:n:{generation}"


def _slot_key(generation: int, slot: int) -> str:
    return f"an:k:{generation}:{slot}"


def counter_key(generation: int, counter: Counter) -> str:
    # Hashed: a subject (a search term) may hold spaces or be long; cache keys must stay portable.
    raw = f"{counter.day.isoformat()}|{counter.kind}|{counter.listing_id}|{counter.subject}"
    return f"an:c:{generation}:{hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()}"


def current_generation(cache: BaseCache | None = None) -> int:
    return int((cache or buffer_cache()).get(GENERATION_KEY) or 0)


def _incr(cache: BaseCache, key: str, delta: int = 1) -> int:
    try:
        return cache.incr(key, delta)
    except ValueError:  # not there yet (or expired): create it, then count (another writer may have won)
        if cache.add(key, delta, timeout=_timeout()):
            return delta
        return cache.incr(key, delta)


def buffer_add(counters: Iterable[tuple[Counter, int]], *, cache: BaseCache | None = None) -> None:
    """Count ``n`` events for each counter in the current generation (cache operations only)."""
    cache = cache or buffer_cache()
    generation = current_generation(cache)
    timeout = _timeout()
    for counter, n in counters:
        key = counter_key(generation, counter)
        try:
            cache.incr(key, n)  # most events land on a counter that exists already
            continue
        except ValueError:
            pass
        if cache.add(key, n, timeout=timeout):
            # A new counter: register it so the flush finds it.
            slot = _incr(cache, _slots_key(generation))
            entry = (key, counter.day.isoformat(), counter.kind, counter.listing_id, counter.subject)
            cache.set(_slot_key(generation, slot), entry, timeout=timeout)
        else:  # another writer created it meanwhile
            _incr(cache, key, n)


def buffer_epoch(cache: BaseCache) -> str:
    epoch = cache.get(EPOCH_KEY)
    if epoch is None:
        cache.add(EPOCH_KEY, uuid.uuid4().hex, timeout=None)
        epoch = cache.get(EPOCH_KEY)
    return str(epoch)


def generation_advance(cache: BaseCache) -> int:
    """Start a new generation (writers move to it); returns the new generation's number."""
    cache.add(GENERATION_KEY, 0, timeout=None)
    return int(cache.incr(GENERATION_KEY))


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class GenerationContents:
    """What a closed generation holds, and every key to delete once it is in the database."""

    counts: dict[Counter, int]
    keys: list[str]

    @property
    def events(self) -> int:
        return sum(self.counts.values())


def generation_read(cache: BaseCache, generation: int) -> GenerationContents:
    """Read a closed generation's counters (nothing is deleted here)."""
    slots = int(cache.get(_slots_key(generation)) or 0)
    slot_keys = [_slot_key(generation, slot) for slot in range(1, slots + 1)]
    entries: list[tuple] = []
    for chunk in _chunks(slot_keys):
        entries.extend(cache.get_many(chunk).values())
    counts: dict[Counter, int] = {}
    for chunk in _chunks(entries):
        values = cache.get_many([entry[0] for entry in chunk])
        for key, day, kind, listing_id, subject in chunk:
            n = int(values.get(key) or 0)
            if n:
                counter = Counter(date.fromisoformat(day), kind, int(listing_id), subject)
                counts[counter] = counts.get(counter, 0) + n
    keys = [_slots_key(generation), *slot_keys, *(entry[0] for entry in entries)]
    return GenerationContents(counts=counts, keys=keys)


def generation_forget(cache: BaseCache, contents: GenerationContents) -> None:
    for chunk in _chunks(contents.keys):
        cache.delete_many(chunk)


def flushed_generation(cache: BaseCache) -> int:
    value = cache.get(FLUSHED_KEY)
    return -1 if value is None else int(value)


def flushed_generation_set(cache: BaseCache, generation: int) -> None:
    cache.set(FLUSHED_KEY, generation, timeout=None)
