"""The queue's lag (how long the oldest job has waited), read from the job ids, in ``/readiness``."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import time_machine

from classifieds.core.observability.worker import task_id_stamp, task_origin
from classifieds.core.tasks import worker_heartbeat_again_task
from classifieds.core.worker import heartbeat_record


class TestTaskIds:
    def test_an_id_says_when_and_by_which_request_a_job_was_enqueued(self):
        origin = task_origin(task_id_stamp("abc-123_DEF", now=1_800_000_000.5))
        assert origin.enqueued_at == 1_800_000_000.5
        assert origin.request_id == "abc-123_DEF"

    def test_a_job_enqueued_outside_a_request_has_no_request_id(self):
        assert task_origin(task_id_stamp("", now=1_800_000_000)).request_id == ""

    def test_a_plain_uuid_from_before_says_nothing(self):
        origin = task_origin("6f1c1d8e-7a1b-4c2d-9e3f-0a1b2c3d4e5f")
        assert origin.enqueued_at is None and origin.request_id == ""


@pytest.mark.django_db
class TestEnqueuing:
    def test_a_job_id_gets_the_time_and_the_request(self, worker_queue):
        from classifieds.core.observability import context

        token = context.activate(context.LogContext(request_id="req-0123456789"))
        try:
            result = worker_heartbeat_again_task()
        finally:
            context.deactivate(token)
        origin = task_origin(result.id)
        assert origin.request_id == "req-0123456789"
        assert abs(origin.enqueued_at - time.time()) < 5
        assert worker_queue.pending()[0].id == result.id

    def test_an_id_the_caller_chose_is_kept(self, worker_queue):
        task = worker_heartbeat_again_task.s(id="heartbeat-chosen-id")
        worker_queue.enqueue(task)
        assert [queued.id for queued in worker_queue.pending()] == ["heartbeat-chosen-id"]


@pytest.mark.django_db
@pytest.mark.usefixtures("worker_queue")
class TestReadinessSeesTheLag:
    def test_a_fresh_queue_is_ready_and_says_its_lag(self, client):
        heartbeat_record()
        worker_heartbeat_again_task()
        response = client.get("/readiness")
        assert response.status_code == 200
        assert response.json()["details"]["queue_pending"] == 1
        assert response.json()["details"]["queue_lag_seconds"] <= 2

    def test_a_job_waiting_longer_than_the_limit_is_not_ready(self, client, settings):
        settings.QUEUE_MAX_LAG = 300
        heartbeat_record()  # the worker still beats: it is the queue that does not move
        with time_machine.travel(time.time() - 400, tick=False):
            worker_heartbeat_again_task()
        response = client.get("/readiness")
        assert response.status_code == 503
        body = response.json()
        assert body["failing"] == ["queue"]
        assert body["checks"]["queue"] == "error: QueueBehind: the oldest job has waited 400 s"

    def test_a_delayed_job_waits_from_its_eta_not_from_when_it_was_scheduled(self, client, worker_queue, settings):
        settings.QUEUE_MAX_LAG = 300
        heartbeat_record()
        with time_machine.travel(time.time() - 400, tick=False):
            worker_heartbeat_again_task.schedule(delay=390)  # due ten seconds ago
        now = datetime.now(UTC).replace(tzinfo=None)  # Huey keeps naive UTC times
        for task in worker_queue.read_schedule(now):  # what the worker's scheduler does
            worker_queue.enqueue(task)
        response = client.get("/readiness")
        assert response.status_code == 200, response.json()
        assert 8 <= response.json()["details"]["queue_lag_seconds"] <= 15
