"""Moderators (staff, not superusers) read reported conversations and the reports in Admin; nothing else."""

from django.db import migrations

GRANTS = [("messaging", "conversation", "view"), ("messaging", "conversationreport", "view")]


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
    dependencies = [("messaging", "0001_initial"), ("accounts", "0004_moderators_read_attribute_schemas")]

    operations = [migrations.RunPython(grant, revoke)]
