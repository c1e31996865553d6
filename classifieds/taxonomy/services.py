"""Writes on the catalog: loading the category and location trees, keeping their paths right.

Rows are matched by slug (categories, locations), by key within a category
(attributes) and by value within an attribute (options), so loading the same
data twice changes nothing, and a renamed label or a moved node updates the row
it already has: ids, and every listing that points at them, stay put. Nothing
is ever deleted here; listings protect the rows they use. The data format is
described in ``catalog_format``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.settings import DEFAULT_LANGUAGE

from .catalog_format import (
    AttributeSpec,
    CatalogError,
    CategorySpec,
    LocationSpec,
    catalog_languages,
    parse_categories,
    parse_locations,
)
from .models import Attribute, AttributeOption, Category, Location
from .place_slugs import PlaceName, uzbek_place_slugs

__all__ = [
    "CatalogError",
    "CatalogLoadResult",
    "TreeCycleError",
    "UpsertCounts",
    "catalog_load",
    "category_rebuild_paths",
    "location_rebuild_paths",
]


class TreeCycleError(CatalogError):
    """A node would be its own ancestor."""


@dataclass
class UpsertCounts:
    """How many rows of one kind a load created, updated and left alone."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class CatalogLoadResult:
    """What ``catalog_load`` did, per kind of row."""

    categories: UpsertCounts
    attributes: UpsertCounts
    options: UpsertCounts
    locations: UpsertCounts
    paths_rebuilt: int = 0

    @property
    def changed(self) -> bool:
        counts = (self.categories, self.attributes, self.options, self.locations)
        return self.paths_rebuilt > 0 or any(c.created or c.updated for c in counts)


# ------------------------------------------------------------------------ upserting


def _assign(obj: models.Model, values: Mapping[str, Any]) -> bool:
    """Set the values that differ from the row as loaded; True when any did.

    Compares the raw loaded value (``__dict__``), not modeltranslation's
    descriptor, so a drifted base column (``name``) is noticed too.
    """
    changed = False
    for name, value in values.items():
        if obj.__dict__.get(name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _translated_values(field_name: str, values: Mapping[str, str]) -> dict[str, str]:
    """The base column (default language) and one column per language."""
    return {field_name: values[DEFAULT_LANGUAGE], **{f"{field_name}_{lang}": text for lang, text in values.items()}}


def _field_names(values: Mapping[str, Any]) -> list[str]:
    return [name.removesuffix("_id") for name in values]


def _save_rows(model: type[models.Model], created: list, updated: list, fields: list[str]) -> None:
    if created:
        model._default_manager.bulk_create(created)
    if updated:
        # rewrite(False): modeltranslation would turn the base column into the
        # current language's one and never update it.
        model._default_manager.rewrite(False).bulk_update(updated, fields)


def _upsert_tree(model, specs: list, counts: UpsertCounts, *, existing, values_of) -> dict:
    """Create or update tree rows level by level, so a parent has its id before its children need it.

    ``existing(spec)``: the row a spec describes, if any; ``values_of(spec)``: its fields but the parent.
    """
    rows: dict = {}
    fields: list[str] = []
    by_depth: dict[int, list] = defaultdict(list)
    for spec in specs:
        by_depth[spec.depth].append(spec)
    for depth in sorted(by_depth):
        created: list = []
        updated: list = []
        for spec in by_depth[depth]:
            values = {"parent_id": rows[spec.parent].pk if spec.parent else None, **values_of(spec)}
            fields = _field_names(values)
            row = existing(spec)
            if row is None:
                row = model(**values)
                created.append(row)
            elif _assign(row, values):
                updated.append(row)
            else:
                counts.unchanged += 1
            rows[spec] = row
        _save_rows(model, created, updated, fields)
        counts.created += len(created)
        counts.updated += len(updated)
    return rows


def _upsert_categories(specs: list[CategorySpec]) -> tuple[UpsertCounts, dict[CategorySpec, Category]]:
    languages = catalog_languages()
    counts = UpsertCounts()
    existing = list(Category.objects.all())
    by_slug: dict[str, dict[str, Category]] = {lang: {} for lang in languages}
    for row in existing:
        for lang in languages:
            value = getattr(row, f"slug_{lang}")
            if value:
                by_slug[lang][value] = row

    matched: dict[CategorySpec, Category] = {}
    claimed: dict[int, CategorySpec] = {}
    for spec in specs:
        row = next((by_slug[lang].get(spec.slug[lang]) for lang in languages if spec.slug[lang] in by_slug[lang]), None)
        if row is None:
            continue
        if row.pk in claimed:
            raise CatalogError(
                _("%(a)s and %(b)s both match the existing category #%(id)s.")
                % {"a": claimed[row.pk].trail, "b": spec.trail, "id": row.pk}
            )
        claimed[row.pk] = spec
        matched[spec] = row
    # A slug held by a row the file does not describe would break the unique index.
    unmanaged_slugs = {
        getattr(row, f"slug_{lang}"): row for row in existing if row.pk not in claimed for lang in languages
    }
    for spec in specs:
        for value in spec.slug.values():
            if value in unmanaged_slugs:
                raise CatalogError(
                    _("%(where)s: slug “%(slug)s” belongs to category #%(id)s, which is not in the file.")
                    % {"where": spec.trail, "slug": value, "id": unmanaged_slugs[value].pk}
                )

    rows = _upsert_tree(
        Category,
        specs,
        counts,
        existing=matched.get,
        values_of=lambda spec: {
            "order": spec.order,
            "icon": spec.icon,
            "requires_moderation": spec.requires_moderation,
            "listing_lifetime_days": spec.listing_lifetime_days,
            "free_listings_per_30_days": spec.free_listings_per_30_days,
            "price_periods": spec.price_periods,
            **_translated_values("name", spec.name),
            **_translated_values("slug", spec.slug),
        },
    )
    return counts, rows


def _upsert_attributes(
    specs: list[CategorySpec], rows: Mapping[CategorySpec, Category]
) -> tuple[UpsertCounts, UpsertCounts]:
    attribute_counts, option_counts = UpsertCounts(), UpsertCounts()
    existing = {
        (attribute.category_id, attribute.key): attribute
        for attribute in Attribute.objects.filter(category_id__in=[row.pk for row in rows.values()])
    }
    created: list[Attribute] = []
    updated: list[Attribute] = []
    attribute_rows: dict[AttributeSpec, Attribute] = {}
    fields: list[str] = []
    for spec in specs:
        category = rows[spec]
        for attribute_spec in spec.attributes:
            values = {
                "category_id": category.pk,
                "key": attribute_spec.key,
                "type": attribute_spec.type,
                "required": attribute_spec.required,
                "filterable": attribute_spec.filterable,
                "min_value": attribute_spec.min_value,
                "max_value": attribute_spec.max_value,
                "order": attribute_spec.order,
                **_translated_values("label", attribute_spec.label),
                **_translated_values("unit", attribute_spec.unit),
            }
            fields = _field_names(values)
            row = existing.get((category.pk, attribute_spec.key))
            if row is None:
                row = Attribute(**values)
                created.append(row)
            elif _assign(row, values):
                updated.append(row)
            else:
                attribute_counts.unchanged += 1
            attribute_rows[attribute_spec] = row
    _save_rows(Attribute, created, updated, fields)
    attribute_counts.created, attribute_counts.updated = len(created), len(updated)

    existing_options = {
        (option.attribute_id, option.value): option
        for option in AttributeOption.objects.filter(attribute_id__in=[row.pk for row in attribute_rows.values()])
    }
    created_options: list[AttributeOption] = []
    updated_options: list[AttributeOption] = []
    for attribute_spec, attribute in attribute_rows.items():
        for option_spec in attribute_spec.options:
            values = {
                "attribute_id": attribute.pk,
                "value": option_spec.value,
                "order": option_spec.order,
                **_translated_values("label", option_spec.label),
            }
            fields = _field_names(values)
            row = existing_options.get((attribute.pk, option_spec.value))
            if row is None:
                created_options.append(AttributeOption(**values))
            elif _assign(row, values):
                updated_options.append(row)
            else:
                option_counts.unchanged += 1
    _save_rows(AttributeOption, created_options, updated_options, fields)
    option_counts.created, option_counts.updated = len(created_options), len(updated_options)
    return attribute_counts, option_counts


def _upsert_locations(specs: list[LocationSpec]) -> UpsertCounts:
    counts = UpsertCounts()
    rows = list(Location.objects.all())
    existing = {row.slug_ru or row.slug: row for row in rows}
    described = {spec.slug for spec in specs}
    slugs_uz = uzbek_place_slugs(
        [
            PlaceName(key=spec, slug_ru=spec.slug, name_uz=spec.name.get("uz", ""), parent=spec.parent)
            for spec in sorted(specs, key=lambda spec: spec.depth)
        ],
        # Slugs of places the file does not describe stay theirs.
        taken=[
            slug
            for row in rows
            if (row.slug_ru or row.slug) not in described
            for slug in (row.slug, row.slug_uz)
            if slug
        ],
    )
    _upsert_tree(
        Location,
        specs,
        counts,
        existing=lambda spec: existing.get(spec.slug),
        values_of=lambda spec: {
            "kind": spec.kind,
            "order": spec.order,
            **_translated_values("slug", {"ru": spec.slug, "uz": slugs_uz[spec]}),
            "lat": spec.lat,
            "lon": spec.lon,
            **_translated_values("name", spec.name),
        },
    )
    return counts


# -------------------------------------------------------------------------- services


@transaction.atomic
def catalog_load(*, categories: Sequence[Any], locations: Sequence[Any]) -> CatalogLoadResult:
    """Create or update the category tree (with attribute schemas) and the location tree from their data.

    Idempotent: rows are matched by slug, key and value; only what differs is
    written. Raises ``CatalogError`` (and writes nothing) on malformed data.
    """
    category_specs = parse_categories(categories)
    location_specs = parse_locations(locations)
    # Base columns (``name``, ``slug``) hold the default language whatever language is active.
    with translation.override(DEFAULT_LANGUAGE):
        category_counts, category_rows = _upsert_categories(category_specs)
        attribute_counts, option_counts = _upsert_attributes(category_specs, category_rows)
        location_counts = _upsert_locations(location_specs)
    paths_rebuilt = category_rebuild_paths() + location_rebuild_paths()
    return CatalogLoadResult(
        categories=category_counts,
        attributes=attribute_counts,
        options=option_counts,
        locations=location_counts,
        paths_rebuilt=paths_rebuilt,
    )


def _rebuild_tree(model: type[Category] | type[Location], *, leaf_flag: bool) -> int:
    """Recompute ``path`` (and ``is_leaf``) of every node; write only the rows that differ."""
    columns = ["pk", "parent_id", "path", *(["is_leaf"] if leaf_flag else [])]
    rows = list(model.objects.order_by().values_list(*columns))
    parent_of = {row[0]: row[1] for row in rows}
    has_children = {parent for parent in parent_of.values() if parent is not None}
    paths: dict[int, list[int]] = {}

    def path_of(pk: int) -> list[int]:
        chain: list[int] = []
        node: int | None = pk
        while node is not None and node not in paths:
            if node in chain:
                raise TreeCycleError(
                    _("%(model)s #%(id)s is its own ancestor.") % {"model": model._meta.verbose_name, "id": node}
                )
            chain.append(node)
            node = parent_of.get(node)
        path = paths[node] if node is not None else []
        for member in reversed(chain):
            path = [*path, member]
            paths[member] = path
        return paths[pk]

    changed = []
    for pk, _parent, path, *leaf in rows:
        new_path = path_of(pk)
        new_leaf = pk not in has_children
        if list(path or []) != new_path or (leaf_flag and leaf[0] != new_leaf):
            node = model(pk=pk, path=new_path)
            if leaf_flag:
                node.is_leaf = new_leaf
            changed.append(node)
    if changed:
        model.objects.bulk_update(changed, ["path", "is_leaf"] if leaf_flag else ["path"], batch_size=500)
    return len(changed)


@transaction.atomic
def category_rebuild_paths() -> int:
    """Recompute every category's ``path`` and ``is_leaf`` (no children); returns how many rows changed."""
    return _rebuild_tree(Category, leaf_flag=True)


@transaction.atomic
def location_rebuild_paths() -> int:
    """Recompute every location's ``path``; returns how many rows changed."""
    return _rebuild_tree(Location, leaf_flag=False)
