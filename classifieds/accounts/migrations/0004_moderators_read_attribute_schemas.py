"""Moderators read the catalog's attribute schemas too (a listing's attributes are checked against them).

Before, they could open a category but not its attributes' page, which answered 403.
"""

from django.db import migrations

GRANTS = [("taxonomy", "attribute", "view"), ("taxonomy", "attributeoption", "view")]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="moderators").first()
    if group is None:
        return
    for app_label, model, action in GRANTS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="moderators").first()
    if group is None:
        return
    for app_label, model, action in GRANTS:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles"), ("taxonomy", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
