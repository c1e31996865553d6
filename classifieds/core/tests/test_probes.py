import time

import pytest
from django.core.cache import cache
from django.db import connection

from classifieds.core.worker import HEARTBEAT_KEY, heartbeat_age, heartbeat_record


class TestHealthz:
    def test_it_answers_without_touching_the_database(self, client):
        # No django_db mark: any database access here would raise.
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_it_has_no_language_prefix(self, client):
        assert client.get("/uz/healthz").status_code == 404

    def test_it_rejects_post(self, client):
        assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_backend")  # the database cache and Redis
class TestReadiness:
    def test_it_is_ready_when_every_dependency_answers(self, client):
        response = client.get("/readiness")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"] == {"database": "ok", "cache": "ok", "queue": "ok", "worker": "ok", "search": "ok"}


@pytest.fixture
def queued_for_a_worker():
    """Jobs go to the queue for a separate worker process, as in production (tests run them in-process)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    yield HUEY
    HUEY.immediate = True


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_for_a_worker")
@pytest.mark.usefixtures("cache_backend")  # the database cache and Redis
class TestReadinessSeesTheWorker:
    def test_a_fresh_heartbeat_is_ready(self, client):
        heartbeat_record()
        response = client.get("/readiness")
        assert response.status_code == 200
        assert response.json()["checks"]["worker"] == "ok"
        assert response.json()["details"]["worker_heartbeat_age"] <= 2

    def test_no_worker_ever_is_not_ready(self, client):
        cache.delete(HEARTBEAT_KEY)
        response = client.get("/readiness")
        assert response.status_code == 503
        body = response.json()
        assert body["failing"] == ["worker"]
        assert body["checks"]["worker"] == "error: WorkerMissing: no heartbeat"

    def test_a_heartbeat_older_than_90_seconds_is_not_ready(self, client):
        cache.set(HEARTBEAT_KEY, time.time() - 91)
        response = client.get("/readiness")
        assert response.status_code == 503
        assert response.json()["checks"]["worker"] == "error: WorkerMissing: last heartbeat 91 s ago"

    def test_a_heartbeat_of_a_minute_ago_is_still_ready(self, client):
        cache.set(HEARTBEAT_KEY, time.time() - 60)
        assert client.get("/readiness").status_code == 200

    def test_a_long_queue_is_not_ready(self, client, settings):
        heartbeat_record()
        settings.QUEUE_MAX_PENDING = -1  # any queue, even an empty one, is "too long"
        response = client.get("/readiness")
        assert response.status_code == 503
        body = response.json()
        assert body["failing"] == ["queue"]
        assert body["checks"]["queue"] == "error: QueueBehind: 0 jobs waiting"


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_backend")  # the database cache and Redis
class TestHeartbeatTask:
    def test_the_periodic_task_writes_the_heartbeat(self):
        from classifieds.core.tasks import worker_heartbeat_task

        cache.delete(HEARTBEAT_KEY)
        worker_heartbeat_task()
        assert heartbeat_age() is not None and heartbeat_age() < 5

    def test_it_beats_every_minute_and_again_half_a_minute_later(self):
        from datetime import datetime

        from classifieds.core.tasks import worker_heartbeat_task
        from classifieds.core.worker import HEARTBEAT_EVERY, HEARTBEAT_MAX_AGE

        task = worker_heartbeat_task.task_class()
        assert all(task.validate_datetime(datetime(2026, 11, 29, 12, minute)) for minute in range(60))
        assert HEARTBEAT_EVERY * 3 <= HEARTBEAT_MAX_AGE  # three missed beats before readiness fails


@pytest.mark.django_db(transaction=True)
class TestReadinessWhenTheDatabaseIsDown:
    def test_it_answers_503_and_names_the_database(self, client):
        # A database that does not exist: the server refuses the connection for real.
        real_name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = "bozor_no_such_database"
        try:
            response = client.get("/readiness")
        finally:
            connection.close()
            connection.settings_dict["NAME"] = real_name
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "fail"
        assert "database" in body["failing"]
        assert body["checks"]["database"].startswith("error")
        assert body["checks"]["queue"] == "ok"
