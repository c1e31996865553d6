from __future__ import annotations

from django.contrib.auth.models import Group

from classifieds.accounts.tests.factories import UserFactory


def moderator_user(**kwargs):
    """A staff account in the ``moderators`` group (it may act)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="moderators"))
    return user


def support_user(**kwargs):
    """A staff account in the ``support`` group (it may only look)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="support"))
    return user
