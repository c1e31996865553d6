"""Default prices (sum) for every category; staff change them in Admin."""

from django.db import migrations

DEFAULTS = [("bump", 0, 15_000), ("top", 7, 49_000), ("top", 30, 149_000), ("spotlight", 7, 99_000)]


def add_defaults(apps, schema_editor):
    PromotionPrice = apps.get_model("promotions", "PromotionPrice")
    for type_, days, price in DEFAULTS:
        PromotionPrice.objects.get_or_create(category=None, type=type_, days=days, defaults={"price": price})


class Migration(migrations.Migration):
    dependencies = [("promotions", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
