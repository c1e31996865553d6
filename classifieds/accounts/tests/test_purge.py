"""Accounts created by a code request that was never completed are forgotten after two days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classifieds.accounts.models import User
from classifieds.accounts.services import users_purge_unverified
from classifieds.accounts.tasks import purge_unverified_users_task
from classifieds.audit.models import Event
from classifieds.listings.tests.factories import ListingFactory

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _unverified(days_old: int, **kwargs) -> User:
    user = UserFactory(phone_verified=False, **kwargs)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days_old))
    return user


def test_it_forgets_old_never_verified_accounts_only():
    stale = _unverified(3)
    recent = _unverified(1)  # may still be typing the code
    verified = UserFactory(phone_verified=True)
    User.objects.filter(pk=verified.pk).update(date_joined=timezone.now() - timedelta(days=30))

    assert users_purge_unverified() == 1

    assert not User.objects.filter(pk=stale.pk).exists()
    assert User.objects.filter(pk__in=[recent.pk, verified.pk]).count() == 2
    assert Event.objects.filter(topic="account.purged_unverified", payload__user_id=stale.pk).exists()


def test_it_keeps_staff_people_who_signed_in_and_sellers():
    staff = _unverified(10, is_staff=True)
    signed_in = _unverified(10, last_login=timezone.now() - timedelta(days=9))
    seller = _unverified(10)
    ListingFactory(owner=seller)

    assert users_purge_unverified() == 0
    assert User.objects.filter(pk__in=[staff.pk, signed_in.pk, seller.pk]).count() == 3


def test_the_daily_task_runs_the_purge():
    stale = _unverified(5)
    purge_unverified_users_task()
    assert not User.objects.filter(pk=stale.pk).exists()
