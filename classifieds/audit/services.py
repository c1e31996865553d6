"""Writes to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import Event


def event_record(
    *,
    topic: str,
    subject: models.Model | None = None,
    actor: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Record that ``topic`` happened to ``subject``; call it inside the service's transaction."""
    return Event.objects.create(
        topic=topic,
        actor=actor if actor is not None and actor.pk else None,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=payload or {},
    )
