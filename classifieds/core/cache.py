"""A Redis cache that survives Redis being down: pages keep answering.

Reads and plain writes degrade: a failed ``get`` is a miss, a failed ``set`` or
``delete`` is dropped (a cache may always lose what it holds). Operations whose
answer *decides* something — ``add`` (take a rate-limit slot, a cool-down) and
``incr``/``decr`` — raise ``CacheUnavailable`` instead: a limit that cannot be
counted must not silently pass (``accounts.limits`` turns it into a refusal the
user is told about, and refuses: it fails closed).

Errors are logged at most once a minute per process, so an outage does not
flood the log with one line per request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

_LOG_EVERY = 60.0
_last_logged = 0.0


class CacheUnavailable(RuntimeError):
    """The shared cache did not answer an operation whose result matters (a counter, a lock)."""


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


def _log(operation: str, exc: BaseException) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY:
        _last_logged = now
        logger.warning("cache unavailable (%s): %s; serving without it", operation, exc)


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose failures degrade to a miss (reads) or are dropped (writes); see the module."""

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _redis_errors() as exc:
            _log("get", exc)
            return default

    def get_many(self, keys, version: int | None = None) -> dict[str, Any]:
        try:
            return super().get_many(keys, version)
        except _redis_errors() as exc:
            _log("get_many", exc)
            return {}

    def has_key(self, key: str, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except _redis_errors() as exc:
            _log("has_key", exc)
            return False

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except _redis_errors() as exc:
            _log("set", exc)

    def set_many(self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[str]:
        try:
            return super().set_many(data, timeout, version)
        except _redis_errors() as exc:
            _log("set_many", exc)
            return list(data)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except _redis_errors() as exc:
            _log("touch", exc)
            return False

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except _redis_errors() as exc:
            _log("delete", exc)
            return False

    def delete_many(self, keys, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except _redis_errors() as exc:
            _log("delete_many", exc)

    def clear(self) -> None:
        try:
            super().clear()
        except _redis_errors() as exc:
            _log("clear", exc)

    # --- operations whose answer decides something: fail loudly -----------------------------
    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except _redis_errors() as exc:
            _log("add", exc)
            raise CacheUnavailable(str(exc)) from exc

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _redis_errors() as exc:
            _log("incr", exc)
            raise CacheUnavailable(str(exc)) from exc

    def decr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().decr(key, delta, version)
        except _redis_errors() as exc:
            _log("decr", exc)
            raise CacheUnavailable(str(exc)) from exc
