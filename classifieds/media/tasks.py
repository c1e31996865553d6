"""Media jobs."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import photo_process, photos_redrive


@db_task(retries=2, retry_delay=10)
def process_photo_task(photo_id: int) -> None:
    """Re-encode an uploaded listing photo (orientation, metadata stripped, size) and mark it ready."""
    photo_process(photo_id=photo_id)


@db_periodic_task(crontab(minute="*"))
def redrive_photos_task() -> None:
    """Retry photos stuck in "processing" (their task died or was lost): within two minutes, a bounded number of times."""
    photos_redrive()
