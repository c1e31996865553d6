"""Redis for real: the production cache and queue (REDIS_URL) against a running Redis.

The rate-limit and probe tests run on both cache backends through the ``cache_backend`` fixture
(root conftest.py); these tests cover what only Redis has: a real RedisHuey queue consumed by a
separate worker process, and what the probes say when Redis is gone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from huey import RedisHuey

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.django_db
class TestTheCacheFixture:
    def test_each_variant_really_uses_its_backend(self, cache_backend, settings):
        expected = {"database": DatabaseCache, "redis": RedisCache}[cache_backend]
        assert isinstance(caches["default"], expected)
        cache.set("fixture-probe", "here", 30)
        assert cache.get("fixture-probe") == "here"
        if cache_backend == "redis":  # the value is in Redis itself, under the test's own prefix
            prefix = settings.CACHES["default"]["KEY_PREFIX"]
            client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
            assert [key.decode() for key in client.scan_iter(match=f"{prefix}:*")] == [f"{prefix}:1:fixture-probe"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
class TestReadinessWhenRedisIsDown:
    def test_it_answers_503_and_names_the_cache(self, client, settings):
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
                "OPTIONS": {"socket_connect_timeout": 1},
            },
        }
        response = client.get("/readiness")
        assert response.status_code == 503
        body = response.json()
        assert body["failing"] == ["cache"]
        assert body["checks"]["cache"] == "error: ConnectionError"


class TestRedisHuey:
    def test_a_task_enqueued_on_redis_is_consumed_by_a_worker_thread(self, redis_url):
        huey = RedisHuey(name=f"bozor-test-{uuid.uuid4().hex}", url=redis_url)

        @huey.task()
        def add(a: int, b: int) -> int:
            return a + b

        try:
            result = add(2, 3)
            assert huey.pending_count() == 1
            consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
            consumer.start()
            try:
                assert result.get(blocking=True, timeout=10) == 5
            finally:
                consumer.stop(graceful=True)
            assert huey.pending_count() == 0
        finally:
            huey.storage.flush_all()


WEB_SIDE = textwrap.dedent(
    """
    import json, os, sys, time
    import django
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from huey.contrib.djhuey import HUEY
    from classifieds.core.tasks import worker_heartbeat_again_task
    from classifieds.core.worker import HEARTBEAT_KEY

    report = {"huey": type(HUEY).__name__, "cache": settings.CACHES["default"]["BACKEND"]}
    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_KEY) is None:  # the worker's start-up heartbeat: it is up
        if time.monotonic() > deadline:
            sys.exit("the worker never started")
        time.sleep(0.2)
    cache.delete(HEARTBEAT_KEY)  # from now on only the task we enqueue writes it
    worker_heartbeat_again_task()
    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_KEY) is None:
        if time.monotonic() > deadline:
            sys.exit("the task was never consumed")
        time.sleep(0.2)
    response = Client().get("/readiness")
    report["readiness"] = {"code": response.status_code, **response.json()}
    print(json.dumps(report))
    """
)


KINDS = ("redis", "schedule", "results", "counters")


@pytest.mark.django_db
class TestTheProductionQueue:
    def test_a_worker_process_consumes_what_the_web_process_enqueued_on_redis(self, redis_url, test_database_url):
        """Both processes configured as production is (REDIS_URL): RedisHuey, RedisCache, the real run_huey."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"OPENSEARCH_URL", "MEDIA_BUCKET", "EMAIL_SMTP_URL", "SENTRY_DSN", "DJANGO_DEBUG"}
        }
        env.update(REDIS_URL=redis_url, DATABASE_URL=test_database_url, DJANGO_SETTINGS_MODULE="classifieds.settings")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            web = subprocess.run(
                [sys.executable, "-c", WEB_SIDE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
            )
        finally:
            worker.send_signal(signal.SIGINT)  # the graceful stop systemd and compose use
            try:
                _, worker_log = worker.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                _, worker_log = worker.communicate()
            # What production settings left in the test database: the heartbeat and the queue's keys.
            redis.Redis.from_url(redis_url).delete(":1:worker:heartbeat", *(f"huey.{k}.bozor" for k in KINDS))
        assert web.returncode == 0, f"web: {web.stderr[-2000:]}\nworker: {worker_log[-2000:]}"
        report = json.loads(web.stdout.strip().splitlines()[-1])
        assert report["huey"] == "RedisHuey"
        assert report["cache"] == "classifieds.core.cache.ResilientRedisCache"
        readiness = report["readiness"]
        assert readiness["checks"]["cache"] == "ok"
        assert readiness["checks"]["queue"] == "ok"
        assert readiness["checks"]["worker"] == "ok"
        assert readiness["code"] == 200, readiness
        assert worker.returncode == 0, worker_log[-2000:]  # SIGINT: a clean stop, no error
