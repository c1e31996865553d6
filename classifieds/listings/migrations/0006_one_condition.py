"""Phones had two "condition" fields: the listing's own and the category attribute "Состояние устройства" (``state``).

The listing's ``condition`` column is the one kept: search facets and the SRP's
``condition`` parameter read it. A phone's ``state`` moves into it where the
seller left it empty ("new, in box" is new, anything else used), then the
attribute, its options and its values go; the catalog no longer ships it. The
listings concerned are reindexed through the search outbox.
"""

from django.db import migrations

NEW_STATES = {"new"}


def merge_state_into_condition(apps, schema_editor):
    Attribute = apps.get_model("taxonomy", "Attribute")
    Value = apps.get_model("listings", "ListingAttributeValue")
    Listing = apps.get_model("listings", "Listing")
    Event = apps.get_model("audit", "Event")
    attributes = list(Attribute.objects.filter(key="state", category__slug_ru="telefony"))
    if not attributes:
        return
    values = Value.objects.filter(attribute__in=attributes, option__isnull=False)
    touched: set[int] = set()
    for listing_id, option_value in values.values_list("listing_id", "option__value"):
        touched.add(listing_id)
        condition = "new" if option_value in NEW_STATES else "used"
        Listing.objects.filter(pk=listing_id, condition="").update(condition=condition)
    Value.objects.filter(attribute__in=attributes).delete()
    for attribute in attributes:
        attribute.options.all().delete()
        attribute.delete()
    Event.objects.bulk_create(
        Event(topic="search.reindex", subject_type="listings.listing", subject_id=str(pk), payload={"reason": "one condition"})
        for pk in sorted(touched)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0005_listing_price_period"),
        ("taxonomy", "0002_category_price_periods"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(merge_state_into_condition, migrations.RunPython.noop)]
