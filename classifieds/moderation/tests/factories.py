from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from classifieds.accounts.tests.factories import UserFactory

# The data migrations that make the staff roles. A transactional test (live server, browser) ends with a
# flush: permissions come back with post_migrate, the groups do not. So the roles are made again from
# these migrations' own grant tables (never a copy of them) whenever a test asks for a staff account.
_ROLES = import_module("classifieds.accounts.migrations.0003_roles").ROLES
_ATTRIBUTE_SCHEMAS = import_module("classifieds.accounts.migrations.0004_moderators_read_attribute_schemas").GRANTS
_CONVERSATIONS = import_module("classifieds.messaging.migrations.0002_moderators_read_reported_conversations").GRANTS
_WORKBENCH = import_module("classifieds.moderation.migrations.0002_roles_and_words").ROLES


def _grants() -> dict[str, list[tuple[str, str]]]:
    """Group name -> (app label, codename) pairs, as the data migrations grant them."""
    grants: dict[str, list[tuple[str, str]]] = {}
    for name, rows in _ROLES.items():
        grants.setdefault(name, []).extend(
            (app, f"{action}_{model}") for app, model, actions in rows for action in actions
        )
    for name, rows in _WORKBENCH.items():
        grants.setdefault(name, []).extend(
            ("moderation", f"{action}_{model}") for model, actions in rows for action in actions
        )
    for app, model, action in [*_ATTRIBUTE_SCHEMAS, *_CONVERSATIONS]:
        grants.setdefault("moderators", []).append((app, f"{action}_{model}"))
    return grants


def ensure_roles(name: str) -> Group:
    """The ``moderators`` or ``support`` group with the permissions the data migrations give it."""
    wanted = set(_grants()[name])
    group, _created = Group.objects.get_or_create(name=name)
    if wanted <= set(group.permissions.values_list("content_type__app_label", "codename")):
        return group
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for app_label, codename in wanted:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def moderator_user(**kwargs):
    """A staff account in the ``moderators`` group (it may act)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(ensure_roles("moderators"))
    return user


def support_user(**kwargs):
    """A staff account in the ``support`` group (it may only look)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(ensure_roles("support"))
    return user
