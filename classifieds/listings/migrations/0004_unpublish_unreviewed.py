"""Listings that left review through a seller's "Deactivate" or "Mark sold" go back to the seller as drafts.

Before the lifecycle table, a pending (unreviewed) listing could be moved to
expired or sold by its seller, and those pages are public. The audit log names
them (``listing.deactivated``/``listing.sold`` from ``pending``); where that was
the listing's last state change it is still public without a review. A draft is
hidden from everyone but its seller, who may submit it again (for review).
"""

from django.db import migrations

LEAKS = ("listing.deactivated", "listing.sold")


def unpublish_unreviewed(apps, schema_editor):
    Event = apps.get_model("audit", "Event")
    Listing = apps.get_model("listings", "Listing")
    leaked = (
        Event.objects.filter(subject_type="listings.listing", topic__in=LEAKS, payload__from="pending")
        .values_list("subject_id", flat=True)
        .distinct()
    )
    for subject_id in leaked:
        last = (
            Event.objects.filter(subject_type="listings.listing", subject_id=subject_id, payload__has_key="to")
            .order_by("-created_at", "-pk")
            .first()
        )
        if last is None or last.topic not in LEAKS or last.payload.get("from") != "pending":
            continue  # reviewed, reactivated or deleted since: its state came from somewhere else
        moved = Listing.objects.filter(pk=int(subject_id), status=last.payload.get("to")).update(status="draft")
        if moved:
            Event.objects.create(
                topic="listing.returned_to_draft",
                subject_type="listings.listing",
                subject_id=subject_id,
                payload={"from": last.payload.get("to"), "to": "draft", "reason": "left review without a review"},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0003_posting_drafts"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(unpublish_unreviewed, migrations.RunPython.noop)]
