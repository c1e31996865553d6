"""The audit log / outbox."""

from __future__ import annotations

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.audit.services import event_record

pytestmark = pytest.mark.django_db


class TestEvents:
    def test_an_event_names_its_topic_actor_and_subject(self):
        user = UserFactory()
        event = event_record(topic="account.deleted", subject=user, actor=user, payload={"listings_hidden": 3})
        assert (event.subject_type, event.subject_id) == ("accounts.user", str(user.pk))
        assert event.actor == user
        assert event.processed_at is None
        assert list(Event.objects.about(user)) == [event]

    def test_the_outbox_is_the_unprocessed_events_oldest_first(self):
        first = event_record(topic="a")
        second = event_record(topic="b")
        done = event_record(topic="c")
        Event.objects.filter(pk=done.pk).update(processed_at=timezone.now())
        assert list(Event.objects.unprocessed()) == [first, second]

    def test_an_event_outlives_its_actor(self):
        user = UserFactory()
        event = event_record(topic="x", actor=user)
        user.delete()
        event.refresh_from_db()
        assert event.actor is None
