"""Worker heartbeat jobs (``classifieds.core.worker``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .worker import HEARTBEAT_EVERY, heartbeat_record


@db_task()
def worker_heartbeat_again_task() -> None:
    """The half-minute heartbeat between two periodic ones (periodic tasks run at most once a minute)."""
    heartbeat_record()


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat_task() -> None:
    """Tell ``/readiness`` that a worker runs and the queue moves; schedule the next beat in 30 s."""
    heartbeat_record()
    worker_heartbeat_again_task.schedule(delay=HEARTBEAT_EVERY)


@HUEY.on_startup()
def heartbeat_on_start() -> None:
    """A worker that just started is alive before its first periodic heartbeat."""
    heartbeat_record()
