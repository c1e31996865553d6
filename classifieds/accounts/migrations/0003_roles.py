"""Staff roles: the ``moderators`` and ``support`` groups with the permissions they work with.

Later apps (moderation, reports) add their own permissions to these groups in
their own migrations. Staff still need ``is_staff`` to open Admin.
"""

from django.db import migrations

ROLES = {
    "moderators": [
        ("listings", "listing", ("view", "change")),
        ("listings", "listingattributevalue", ("view",)),
        ("media", "listingphoto", ("view", "delete")),
        ("accounts", "user", ("view",)),
        ("audit", "event", ("view",)),
        ("taxonomy", "category", ("view",)),
        ("taxonomy", "location", ("view",)),
    ],
    "support": [
        ("accounts", "user", ("view", "change")),
        ("listings", "listing", ("view",)),
        ("media", "listingphoto", ("view",)),
        ("audit", "event", ("view",)),
    ],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, model, actions in grants:
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_user_managers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("listings", "0001_initial"),
        ("media", "0001_initial"),
        ("audit", "0001_initial"),
        ("taxonomy", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
