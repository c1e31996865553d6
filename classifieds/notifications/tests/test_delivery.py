"""Email/SMS deliveries: exactly once even when the worker dies between commit and send, or mid-send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from classifieds.accounts import sms
from classifieds.accounts.tests.factories import UserFactory
from classifieds.notifications.delivery import DeliveryFailed, deliveries_redrive, delivery_send
from classifieds.notifications.models import Delivery
from classifieds.notifications.services import notification_mark_read, notify, preference_set

from .factories import user_with_email

pytestmark = [pytest.mark.django_db]

CONTEXT = {"title": "Cobalt 2020", "url": "/l/5-cobalt/"}
LATER = timedelta(minutes=10)


def committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks, *, kind="listing.approved", user=None):
    """notify() committed, then the worker died before running the send task (the callbacks never run)."""
    with django_capture_on_commit_callbacks(execute=False):
        notice = notify(user=user or user_with_email(), kind=kind, context=CONTEXT, subject="listing:5")
    return notice


class TestExactlyOnce:
    def test_a_crash_between_commit_and_send_is_sent_once_by_the_redrive(self, django_capture_on_commit_callbacks):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        assert mail.outbox == []
        assert deliveries_redrive(now=timezone.now() + LATER) == 1
        assert len(mail.outbox) == 1
        assert deliveries_redrive(now=timezone.now() + LATER) == 0  # a second run sends nothing
        assert len(mail.outbox) == 1
        delivery = notice.deliveries.get()
        assert delivery.state == Delivery.State.SENT
        assert delivery.attempts == 1

    def test_a_fresh_delivery_is_left_to_its_own_task(self, django_capture_on_commit_callbacks):
        committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        assert deliveries_redrive(now=timezone.now()) == 0
        assert mail.outbox == []

    def test_a_send_that_fails_stays_pending_and_the_retry_sends_it_once(
        self, django_capture_on_commit_callbacks, settings
    ):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        delivery = notice.deliveries.get()
        settings.MAILERS = {"default": {"BACKEND": "classifieds.notifications.tests.failing_mail.DownBackend"}}
        with pytest.raises(DeliveryFailed):
            delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
        assert "SMTP server down" in delivery.last_error
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        assert delivery_send(delivery_id=delivery.pk) is True
        assert delivery_send(delivery_id=delivery.pk) is False  # the task's retry after success: nothing
        assert deliveries_redrive(now=timezone.now() + LATER) == 0
        assert len(mail.outbox) == 1

    def test_the_task_sends_after_commit_once(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            notice = notify(user=user_with_email(), kind="listing.approved", context=CONTEXT, subject="listing:5")
        assert len(mail.outbox) == 1
        assert delivery_send(delivery_id=notice.deliveries.get().pk) is False
        assert len(mail.outbox) == 1

    def test_the_message_id_is_the_same_for_a_resend(self, django_capture_on_commit_callbacks):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        deliveries_redrive(now=timezone.now() + LATER)
        delivery = notice.deliveries.get()
        assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<notification-{notice.pk}.{delivery.pk}@")

    def test_it_gives_up_after_max_attempts(self, django_capture_on_commit_callbacks, settings):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        settings.MAILERS = {"default": {"BACKEND": "classifieds.notifications.tests.failing_mail.DownBackend"}}
        for _ in range(10):
            deliveries_redrive(now=timezone.now() + LATER)
        assert notice.deliveries.get().state == Delivery.State.FAILED


class TestSkipping:
    def test_an_email_switched_off_before_the_send_is_skipped(self, django_capture_on_commit_callbacks):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        preference_set(user=notice.user, kind="listing.approved", channel="email", enabled=False)
        assert deliveries_redrive(now=timezone.now() + LATER) == 0
        assert mail.outbox == []
        assert notice.deliveries.get().state == Delivery.State.SKIPPED

    def test_an_address_removed_before_the_send_is_skipped(self, django_capture_on_commit_callbacks):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks)
        type(notice.user).objects.filter(pk=notice.user.pk).update(email="")
        assert deliveries_redrive(now=timezone.now() + LATER) == 0
        assert notice.deliveries.get().state == Delivery.State.SKIPPED

    def test_a_new_message_read_on_the_site_within_the_delay_is_not_emailed(self, django_capture_on_commit_callbacks):
        notice = committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks, kind="message.new")
        assert deliveries_redrive(now=timezone.now() + timedelta(minutes=5)) == 0  # still within its delay
        notification_mark_read(user=notice.user, notification_id=notice.pk)
        assert deliveries_redrive(now=timezone.now() + timedelta(minutes=30)) == 0
        assert mail.outbox == []
        assert notice.deliveries.get().state == Delivery.State.SKIPPED

    def test_an_unread_new_message_is_emailed_after_the_delay(self, django_capture_on_commit_callbacks):
        committed_notice_whose_task_was_lost(django_capture_on_commit_callbacks, kind="message.new")
        assert deliveries_redrive(now=timezone.now() + timedelta(minutes=30)) == 1
        assert len(mail.outbox) == 1


class TestSms:
    @pytest.fixture(autouse=True)
    def locmem_sms(self, settings):
        settings.SMS_BACKEND = "classifieds.accounts.sms.LocmemBackend"
        sms.outbox.clear()

    def test_only_configured_kinds_go_by_sms(self, settings, django_capture_on_commit_callbacks):
        settings.NOTIFICATIONS_SMS_KINDS = ("listing.expiring",)
        user = UserFactory(phone="+998901234567")
        with django_capture_on_commit_callbacks(execute=True):
            notify(user=user, kind="listing.expiring", context={**CONTEXT, "days": 3}, subject="listing:5")
            notify(user=user, kind="listing.approved", context=CONTEXT, subject="listing:5")
        assert len(sms.outbox) == 1
        assert sms.outbox[0].to == "+998901234567"
        assert "Cobalt 2020" in sms.outbox[0].text

    def test_no_sms_by_default(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            notify(user=UserFactory(), kind="listing.expiring", context=CONTEXT, subject="listing:5")
        assert sms.outbox == []
