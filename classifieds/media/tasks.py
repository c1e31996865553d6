"""Media jobs."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import photo_process, photos_redrive


@db_task(retries=2, retry_delay=10)
def process_photo_task(photo_id: int) -> None:
    """Re-encode an uploaded listing photo (orientation, metadata stripped, size) and mark it ready."""
    photo_process(photo_id=photo_id)


@db_periodic_task(crontab(minute="*/10"))
def redrive_photos_task() -> None:
    """Process uploads whose task was lost, so no photo stays "processing" for ever."""
    photos_redrive()
