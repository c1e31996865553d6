"""Writes to the audit log, which is also the outbox.

A service records what happened with ``event_record`` (one subject) or
``events_record`` (many subjects, one row each), inside its own transaction.
An app that must react to a topic after commit (search indexes changed
listings) registers a consumer with ``outbox_consumer_register`` from its
``AppConfig.ready``; ``outbox_publish`` records the events and hands their ids
to the consumers once the transaction commits. So the app that writes (low in
the layer order) never imports the app that reacts (higher up), and a lost
hand-over loses nothing: the rows stay unprocessed until a re-drive finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction

from .models import Event

OutboxConsumer = Callable[[list[int]], None]
_consumers: dict[str, list[OutboxConsumer]] = {}


def _actor(actor: models.Model | None) -> models.Model | None:
    return actor if actor is not None and getattr(actor, "pk", None) else None


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
        actor=_actor(actor),
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=payload or {},
    )


def events_record(
    *,
    topic: str,
    subject_type: str,
    subject_ids: Iterable[int | str],
    actor: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> list[Event]:
    """Record ``topic`` for many subjects of one type (one row each, one INSERT); set-based writes use it."""
    return Event.objects.bulk_create(
        [
            Event(
                topic=topic,
                actor=_actor(actor),
                subject_type=subject_type,
                subject_id=str(pk),
                payload=dict(payload or {}),
            )
            for pk in subject_ids
        ]
    )


def outbox_consumer_register(topic: str, consumer: OutboxConsumer) -> None:
    """Call ``consumer(event_ids)`` after every commit that published ``topic`` (from ``AppConfig.ready``)."""
    handlers = _consumers.setdefault(topic, [])
    if consumer not in handlers:
        handlers.append(consumer)


def outbox_publish(
    *,
    topic: str,
    subject_type: str,
    subject_ids: Iterable[int | str],
    actor: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> list[int]:
    """Record ``topic`` events (``events_record``) and hand their ids to its consumers after commit."""
    event_ids = [
        event.pk
        for event in events_record(
            topic=topic, subject_type=subject_type, subject_ids=subject_ids, actor=actor, payload=payload
        )
    ]
    if event_ids:
        for consumer in _consumers.get(topic, []):
            transaction.on_commit(lambda consumer=consumer: consumer(event_ids))
    return event_ids
