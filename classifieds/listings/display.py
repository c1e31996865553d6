"""How a listing's data reads on a page: shared by the listing page and the posting wizard's review step."""

from __future__ import annotations

from .models import Listing


def attribute_rows(listing: Listing) -> list[dict]:
    """(label, value with unit) per attribute in schema order; multichoice joined."""
    rows: dict[int, dict] = {}
    for value in sorted(listing.attribute_values.all(), key=lambda v: (v.attribute.order, v.attribute_id)):
        attribute = value.attribute
        row = rows.setdefault(
            attribute.pk, {"key": attribute.key, "label": attribute.label, "unit": attribute.unit, "values": []}
        )
        row["values"].append(value.display_value)
    for row in rows.values():
        row["value"] = ", ".join(row["values"])
        row["display"] = f"{row['value']} {row['unit']}".strip() if row["unit"] else row["value"]
    return list(rows.values())
