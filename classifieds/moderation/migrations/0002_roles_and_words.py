"""Moderators act in the workbench (decisions, word and phone lists, thresholds); support only looks.

Also a first list of banned words in ru and uz, for moderators to extend in Admin.
"""

from django.db import migrations

ROLES = {
    "moderators": [
        ("moderationaction", ("view", "add")),
        ("reviewqueueitem", ("view", "change")),
        ("sampledlisting", ("view", "change")),
        ("reportedlisting", ("view", "change")),
        ("seller", ("view", "change")),
        ("report", ("view", "change")),
        ("screening", ("view",)),
        ("bannedword", ("view", "add", "change", "delete")),
        ("riskyphone", ("view", "add", "change", "delete")),
        ("moderationsettings", ("view", "change")),
        ("categorypricestat", ("view",)),
    ],
    "support": [
        ("moderationaction", ("view",)),
        ("reviewqueueitem", ("view",)),
        ("sampledlisting", ("view",)),
        ("reportedlisting", ("view",)),
        ("seller", ("view",)),
        ("report", ("view",)),
        ("screening", ("view",)),
        ("bannedword", ("view",)),
        ("riskyphone", ("view",)),
        ("moderationsettings", ("view",)),
        ("categorypricestat", ("view",)),
    ],
}

WORDS = [
    ("наркотик", "ru"),
    ("героин", "ru"),
    ("спайс", "ru"),
    ("оружие", "ru"),
    ("пистолет", "ru"),
    ("поддельные документы", "ru"),
    ("giyohvand", "uz"),
    ("qurol", "uz"),
    ("to'pponcha", "uz"),
    ("soxta hujjat", "uz"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for model, actions in grants:
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(content_type__app_label="moderation", codename=f"{action}_{model}")
                )
    BannedWord = apps.get_model("moderation", "BannedWord")
    BannedWord.objects.bulk_create([BannedWord(phrase=phrase, language=language) for phrase, language in WORDS])


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="moderation").delete()
    apps.get_model("moderation", "BannedWord").objects.filter(phrase__in=[w for w, _l in WORDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial"), ("accounts", "0003_roles")]

    operations = [migrations.RunPython(grant, revoke)]
