"""Project-wide pytest set-up: real PostgreSQL (embedded unless DATABASE_URL is set)."""

from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture(autouse=True, scope="session")
def huey_immediate():
    """Tasks run in-process during tests, so effects are visible synchronously."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language.

    LocaleMiddleware leaves the language of the last request active in the
    thread, so a test that visited /uz/ would otherwise turn the next one Uzbek.
    """
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Each test writes media to its own folder (cache rows roll back with the test)."""
    from django.core.cache import caches

    from classifieds.search.synonyms import forget_synonyms

    caches["local"].clear()  # per-process thumbnails and cards must not outlive the test's rows and media
    caches["analytics"].clear()  # nor buffered analytics events (the flush runs in the test, not a thread)
    settings.ANALYTICS_PROCESS_FLUSH_SECONDS = 0
    caches["volatile"].clear()  # nor per-process search summaries and cached pages
    forget_synonyms()  # nor the per-process synonym groups read from another test's rows
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": "/media/"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # sorl-thumbnail keeps the storage it first met for the whole process: without this, every later test's
    # thumbnails land in the first test's media folder (and a test reading them back finds nothing).
    from django.utils.functional import empty
    from sorl.thumbnail import default as sorl_default

    sorl_default.storage._wrapped = empty
    yield


# --- Redis variants (issue 17): the cache, rate limits and queue also run against a real Redis ----------------
# TEST_REDIS_URL names a database the tests may write to (keys get a per-test prefix and are deleted after).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """The test Redis, answering; under CI=true an unreachable one fails the test instead of skipping it."""
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis at {TEST_REDIS_URL} is unreachable ({exc}); start it with: redis-server --daemonize yes"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (.ci/run starts it: CI must run the Redis variants)")
        pytest.skip(message)
    return TEST_REDIS_URL


@pytest.fixture(params=["database", "redis"])
def cache_backend(request, settings):
    """Run the test once on the embedded default cache (DatabaseCache) and once on RedisCache, as in production."""
    if request.param == "database":
        yield "database"
        return
    import redis

    url = request.getfixturevalue("redis_url")
    prefix = f"test-{uuid.uuid4().hex}"  # Redis does not roll back with the test: a fresh key space each time
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix},
    }
    yield "redis"
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """The test database as a DATABASE_URL, for programs a test starts (pg_dump, manage.py, workers)."""
    from urllib.parse import quote

    from django.db import connection

    with django_db_blocker.unblock():
        params = connection.get_connection_params()
    host = quote(str(params.get("host") or "localhost"), safe="")
    password = f":{quote(str(params['password']), safe='')}" if params.get("password") else ""
    return f"postgres://{quote(str(params.get('user') or 'postgres'), safe='')}{password}@{host}:{params.get('port') or 5432}/{params['dbname']}"
