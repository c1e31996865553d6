"""notify(): one notice per (user, kind, subject, window), on-site always, email to confirmed addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction

from classifieds.accounts.tests.factories import UserFactory
from classifieds.notifications.kinds import UnknownKind
from classifieds.notifications.models import Delivery, Notification
from classifieds.notifications.services import notify

from .factories import user_with_email

pytestmark = [pytest.mark.django_db]

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CONTEXT = {"listing_id": 5, "title": "Cobalt 2020", "url": "/l/5-cobalt/", "old_price": "10", "new_price": "9"}


class TestNotify:
    def test_it_writes_an_on_site_notice(self):
        user = UserFactory()
        notice = notify(user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:5")
        assert notice is not None
        assert list(Notification.objects.of(user).unread()) == [notice]
        assert notice.context == CONTEXT
        assert not notice.deliveries.exists()  # no email address: on-site only

    def test_it_tells_once_per_subject_and_window(self):
        user = UserFactory()
        first = notify(user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:5", now=T0)
        again = notify(
            user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:5", now=T0 + timedelta(hours=3)
        )
        other = notify(user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:6", now=T0)
        next_day = notify(
            user=user, kind="favorite.price_drop", context=CONTEXT, subject="listing:5", now=T0 + timedelta(days=1)
        )
        assert first is not None and again is None
        assert other is not None and next_day is not None
        assert Notification.objects.of(user).count() == 3

    def test_a_dedupe_key_overrides_the_window(self):
        user = UserFactory()
        first = notify(user=user, kind="listing.expiring", context=CONTEXT, subject="listing:5", dedupe_key="a", now=T0)
        later = notify(
            user=user,
            kind="listing.expiring",
            context=CONTEXT,
            subject="listing:5",
            dedupe_key="a",
            now=T0 + timedelta(days=30),
        )
        other = notify(user=user, kind="listing.expiring", context=CONTEXT, subject="listing:5", dedupe_key="b", now=T0)
        assert first is not None and later is None and other is not None

    def test_a_duplicate_leaves_the_callers_transaction_usable(self):
        user = UserFactory()
        with transaction.atomic():
            notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5")
            assert notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5") is None
            UserFactory()  # the transaction still works
        assert Notification.objects.of(user).count() == 1

    def test_it_refuses_an_unknown_kind(self):
        with pytest.raises(UnknownKind):
            notify(user=UserFactory(), kind="no.such.kind", context={})

    def test_it_tells_nobody_deleted_or_inactive(self):
        user = UserFactory(is_active=False)
        assert notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5") is None


class TestEmailChannel:
    def test_it_emails_a_confirmed_address_after_commit(self, django_capture_on_commit_callbacks):
        user = user_with_email()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notice = notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5")
        assert mail.outbox == []  # nothing is sent before commit
        for callback in callbacks:
            callback()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["seller@example.com"]
        assert "Cobalt 2020" in mail.outbox[0].subject
        assert notice.deliveries.get().state == Delivery.State.SENT

    def test_it_does_not_email_an_unconfirmed_address(self, django_capture_on_commit_callbacks):
        user = UserFactory(email="new@example.com")
        EmailAddress.objects.create(user=user, email="new@example.com", verified=False)
        with django_capture_on_commit_callbacks(execute=True):
            notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5")
        assert mail.outbox == []
        assert not Delivery.objects.exists()

    def test_a_rolled_back_notice_sends_nothing(self, django_capture_on_commit_callbacks):
        user = user_with_email()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5")
            raise RuntimeError
        assert mail.outbox == []
        assert not Notification.objects.exists()
