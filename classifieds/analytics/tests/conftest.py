"""The buffer stores the analytics tests run on."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(params=["memory", "database", "redis"])
def buffer_store(request, settings):
    """The buffer store under test."""
    if request.param == "database":
        settings.ANALYTICS_CACHE = "default"  # the database cache in tests
    elif request.param == "redis":
        import redis

        url = request.getfixturevalue("redis_url")
        prefix = f"test-{uuid.uuid4().hex}"
        # Production's Redis cache (settings.py), its timeouts included.
        options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
        settings.CACHES = {
            **settings.CACHES,
            "redis": {
                "BACKEND": "classifieds.core.cache.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
                "OPTIONS": options,
            },
        }
        settings.ANALYTICS_CACHE = "redis"
        yield request.param
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return
    yield request.param
