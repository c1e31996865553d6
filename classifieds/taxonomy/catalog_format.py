"""The catalog data format: parsing and checking the category and location trees before loading.

The catalog data (``catalog_data/categories.json``, ``catalog_data/locations.json``) is
a list of root nodes, each with its ``children``: slugs, attribute keys and
option values are the stable keys, never database ids.

Category file format, one node::

    {"slug": {"ru": "kvartiry", "uz": "kvartiralar"},
     "name": {"ru": "Квартиры", "uz": "Kvartiralar"},
     "icon": "home",                        # optional
     "requires_moderation": true,           # optional, inherited by children
     "listing_lifetime_days": 30,           # optional, inherited by children
     "free_listings_per_30_days": 1,        # optional (null: unlimited), inherited by children
     "price_periods": ["month", "day"],     # optional, inherited: what a price is per, the default first
                                            # ("once", "month", "day", "hour"; none: a one-off price)
     "attributes": [                        # optional, inherited by every descendant's schema
        {"key": "rooms", "type": "integer", "label": {"ru": "...", "uz": "..."},
         "unit": {"ru": "м²", "uz": "m²"}, "required": true, "filterable": true, "min": 1, "max": 20},
        {"key": "building_type", "type": "choice", "label": {...},
         "options": [{"value": "panel", "label": {"ru": "Панельный", "uz": "Panel"}}]}],
     "children": [...]}

Location file format, one node::

    {"slug": "samarkand-region", "kind": "region", "name": {"ru": "...", "uz": "..."},
     "lat": 39.6542, "lon": 66.9597, "children": [...]}

A place's ``slug`` is its Russian one; its Uzbek slug (under ``/uz/``) is derived
from its Uzbek name when loading (``Samarqand viloyati`` → ``samarqand-viloyati``,
see ``place_slugs``), so the file never lists it.

A label given as a plain string is the same in every language. ``order`` is
the position among siblings in the file. A category slug names one category in
every language (``/c/<slug>/`` finds it whatever the language), and an
attribute key appears once on any root-to-leaf path, since schemas are inherited.
Anything malformed raises ``CatalogError`` naming the node, before a row is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from modeltranslation.settings import DEFAULT_LANGUAGE

from .models import Attribute, Location, PricePeriod

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_LIFETIME_DAYS = 30

CATEGORY_KEYS = frozenset(
    {
        "slug",
        "name",
        "icon",
        "requires_moderation",
        "listing_lifetime_days",
        "free_listings_per_30_days",
        "price_periods",
        "attributes",
        "children",
    }
)
ATTRIBUTE_KEYS = frozenset({"key", "type", "label", "unit", "required", "filterable", "min", "max", "options"})
OPTION_KEYS = frozenset({"value", "label"})
LOCATION_KEYS = frozenset({"slug", "kind", "name", "lat", "lon", "children"})


class CatalogError(Exception):
    """The catalog data is malformed or contradicts itself (or the database); nothing was written."""


# The parsed, checked form of the input. ``eq=False`` keeps identity hashing,
# so a spec can key a dict of the rows it became.


@dataclass(eq=False)
class OptionSpec:
    value: str
    label: dict[str, str]
    order: int


@dataclass(eq=False)
class AttributeSpec:
    key: str
    type: str
    label: dict[str, str]
    unit: dict[str, str]
    required: bool
    filterable: bool
    min_value: Decimal | None
    max_value: Decimal | None
    order: int
    options: list[OptionSpec]


@dataclass(eq=False)
class CategorySpec:
    slug: dict[str, str]
    name: dict[str, str]
    parent: CategorySpec | None
    depth: int
    order: int
    icon: str
    requires_moderation: bool
    listing_lifetime_days: int
    free_listings_per_30_days: int | None
    price_periods: list[str] = field(default_factory=list)
    attributes: list[AttributeSpec] = field(default_factory=list)

    @property
    def trail(self) -> str:
        node, slugs = self, []
        while node is not None:
            slugs.append(node.slug[DEFAULT_LANGUAGE])
            node = node.parent
        return " › ".join(reversed(slugs))


@dataclass(eq=False)
class LocationSpec:
    slug: str
    kind: str
    name: dict[str, str]
    lat: Decimal | None
    lon: Decimal | None
    parent: LocationSpec | None
    depth: int
    order: int


def catalog_languages() -> list[str]:
    """Language codes, the default (modeltranslation's fallback) first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return [DEFAULT_LANGUAGE, *(code for code in codes if code != DEFAULT_LANGUAGE)]


def _check_keys(node: Any, allowed: frozenset[str], where: str) -> Mapping[str, Any]:
    if not isinstance(node, Mapping):
        raise CatalogError(_("%(where)s: expected an object.") % {"where": where})
    unknown = sorted(set(node) - allowed)
    if unknown:
        raise CatalogError(_("%(where)s: unknown keys %(keys)s.") % {"where": where, "keys": ", ".join(unknown)})
    return node


def _translated(raw: Any, where: str, what: str, *, required: bool = True) -> dict[str, str]:
    """``{"ru": ..., "uz": ...}`` from a dict, or one string meaning the same text in every language."""
    languages = catalog_languages()
    if raw is None and not required:
        return dict.fromkeys(languages, "")
    if isinstance(raw, str):
        raw = dict.fromkeys(languages, raw)
    if not isinstance(raw, Mapping):
        raise CatalogError(_("%(where)s: %(what)s must be a string or an object.") % {"where": where, "what": what})
    unknown = sorted(set(raw) - set(languages))
    if unknown:
        raise CatalogError(
            _("%(where)s: %(what)s has unknown languages %(langs)s.")
            % {"where": where, "what": what, "langs": ", ".join(unknown)}
        )
    values = {}
    for lang in languages:
        value = raw.get(lang, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise CatalogError(
                _("%(where)s: %(what)s in “%(lang)s” is missing.") % {"where": where, "what": what, "lang": lang}
            )
        values[lang] = value.strip()
    return values


def _slug(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not SLUG_RE.match(raw):
        raise CatalogError(
            _("%(where)s: “%(slug)s” is not a slug (lowercase Latin letters, digits and hyphens).")
            % {"where": where, "slug": raw}
        )
    return raw


def _flag(node: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = node.get(key, default)
    if not isinstance(value, bool):
        raise CatalogError(_("%(where)s: %(key)s must be true or false.") % {"where": where, "key": key})
    return value


def _whole(value: Any, where: str, key: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CatalogError(
            _("%(where)s: %(key)s must be a whole number of at least %(min)s.")
            % {"where": where, "key": key, "min": minimum}
        )
    return value


def _decimal(value: Any, where: str, key: str, places: int) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CatalogError(_("%(where)s: %(key)s must be a number.") % {"where": where, "key": key})
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise CatalogError(_("%(where)s: %(key)s must be a number.") % {"where": where, "key": key}) from exc
    if not number.is_finite():
        raise CatalogError(_("%(where)s: %(key)s must be a number.") % {"where": where, "key": key})
    # Rounded as the column stores it, so an unchanged file compares equal to the row.
    return number.quantize(Decimal(1).scaleb(-places))


def _price_periods(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(value, str) for value in raw):
        raise CatalogError(_("%(where)s: price_periods must be a list of periods.") % {"where": where})
    unknown = [value for value in raw if value not in PricePeriod.values]
    if unknown:
        raise CatalogError(_("%(where)s: unknown price period “%(period)s”.") % {"where": where, "period": unknown[0]})
    if len(set(raw)) != len(raw):
        raise CatalogError(_("%(where)s: a price period is listed twice.") % {"where": where})
    return list(raw)


def _parse_options(raw: Any, where: str) -> list[OptionSpec]:
    if not isinstance(raw, list) or not raw:
        raise CatalogError(_("%(where)s: a choice attribute needs a list of options.") % {"where": where})
    options: list[OptionSpec] = []
    seen: set[str] = set()
    for order, node in enumerate(raw):
        node = _check_keys(node, OPTION_KEYS, f"{where} option #{order + 1}")
        value = _slug(node.get("value"), f"{where} option #{order + 1}")
        if value in seen:
            raise CatalogError(_("%(where)s: option “%(value)s” is listed twice.") % {"where": where, "value": value})
        seen.add(value)
        options.append(
            OptionSpec(value=value, label=_translated(node.get("label"), f"{where}.{value}", "label"), order=order)
        )
    return options


def _parse_attribute(node: Any, order: int, where: str) -> AttributeSpec:
    node = _check_keys(node, ATTRIBUTE_KEYS, f"{where} attribute #{order + 1}")
    key = node.get("key")
    if not isinstance(key, str) or not re.match(r"^[a-z][a-z0-9_]*$", key):
        raise CatalogError(_("%(where)s: “%(key)s” is not an attribute key.") % {"where": where, "key": key})
    where = f"{where}.{key}"
    kind = node.get("type")
    if kind not in Attribute.Type.values:
        raise CatalogError(_("%(where)s: unknown type “%(type)s”.") % {"where": where, "type": kind})
    has_options = kind in (Attribute.Type.CHOICE, Attribute.Type.MULTICHOICE)
    if has_options:
        options = _parse_options(node.get("options"), where)
    elif "options" in node:
        raise CatalogError(_("%(where)s: only choice attributes have options.") % {"where": where})
    else:
        options = []
    numeric = kind in (Attribute.Type.INTEGER, Attribute.Type.DECIMAL)
    if not numeric and ("min" in node or "max" in node):
        raise CatalogError(_("%(where)s: only numbers have a minimum and a maximum.") % {"where": where})
    min_value = _decimal(node.get("min"), where, "min", 2)
    max_value = _decimal(node.get("max"), where, "max", 2)
    if min_value is not None and max_value is not None and min_value > max_value:
        raise CatalogError(_("%(where)s: min is greater than max.") % {"where": where})
    return AttributeSpec(
        key=key,
        type=kind,
        label=_translated(node.get("label"), where, "label"),
        unit=_translated(node.get("unit"), where, "unit", required=False),
        required=_flag(node, "required", False, where),
        filterable=_flag(node, "filterable", False, where),
        min_value=min_value,
        max_value=max_value,
        order=order,
        options=options,
    )


def parse_categories(roots: Sequence[Any]) -> list[CategorySpec]:
    """Validated specs in pre-order (every parent before its children)."""
    if not isinstance(roots, Sequence) or isinstance(roots, str):
        raise CatalogError(_("Categories must be a list of root categories."))
    specs: list[CategorySpec] = []
    owner_of_slug: dict[str, CategorySpec] = {}

    def walk(raw: Any, parent: CategorySpec | None, order: int, inherited_keys: frozenset[str]) -> None:
        where = f"{parent.trail} › #{order + 1}" if parent else f"category #{order + 1}"
        node = _check_keys(raw, CATEGORY_KEYS, where)
        slug = _translated(node.get("slug"), where, "slug")
        for value in slug.values():
            _slug(value, where)
        where = f"{parent.trail} › {slug[DEFAULT_LANGUAGE]}" if parent else slug[DEFAULT_LANGUAGE]
        icon = node.get("icon", "")
        if not isinstance(icon, str):
            raise CatalogError(_("%(where)s: icon must be a string.") % {"where": where})
        free = node.get("free_listings_per_30_days", parent.free_listings_per_30_days if parent else None)
        spec = CategorySpec(
            slug=slug,
            name=_translated(node.get("name"), where, "name"),
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            order=order,
            icon=icon,
            requires_moderation=_flag(
                node, "requires_moderation", parent.requires_moderation if parent else False, where
            ),
            listing_lifetime_days=_whole(
                node.get("listing_lifetime_days", parent.listing_lifetime_days if parent else DEFAULT_LIFETIME_DAYS),
                where,
                "listing_lifetime_days",
                minimum=1,
            ),
            free_listings_per_30_days=None
            if free is None
            else _whole(free, where, "free_listings_per_30_days", minimum=0),
            price_periods=_price_periods(node["price_periods"], where)
            if "price_periods" in node
            else list(parent.price_periods if parent else []),
        )
        for value in set(slug.values()):
            other = owner_of_slug.get(value)
            if other is not None:
                raise CatalogError(
                    _("%(where)s: slug “%(slug)s” is already used by %(other)s.")
                    % {"where": where, "slug": value, "other": other.trail}
                )
            owner_of_slug[value] = spec
        raw_attributes = node.get("attributes") or []
        if not isinstance(raw_attributes, list):
            raise CatalogError(_("%(where)s: attributes must be a list.") % {"where": where})
        keys = set(inherited_keys)
        for attribute_order, raw_attribute in enumerate(raw_attributes):
            attribute = _parse_attribute(raw_attribute, attribute_order, where)
            if attribute.key in keys:
                # The schema is inherited, so a key may appear once on any root-to-leaf path.
                raise CatalogError(
                    _("%(where)s: attribute “%(key)s” is already defined here or on a parent category.")
                    % {"where": where, "key": attribute.key}
                )
            keys.add(attribute.key)
            spec.attributes.append(attribute)
        specs.append(spec)
        children = node.get("children") or []
        if not isinstance(children, list):
            raise CatalogError(_("%(where)s: children must be a list.") % {"where": where})
        for child_order, child in enumerate(children):
            walk(child, spec, child_order, frozenset(keys))

    for order, root in enumerate(roots):
        walk(root, None, order, frozenset())
    return specs


def parse_locations(roots: Sequence[Any]) -> list[LocationSpec]:
    """Validated specs in pre-order (every parent before its children)."""
    if not isinstance(roots, Sequence) or isinstance(roots, str):
        raise CatalogError(_("Locations must be a list of top-level locations."))
    specs: list[LocationSpec] = []
    seen: dict[str, LocationSpec] = {}

    def walk(raw: Any, parent: LocationSpec | None, order: int) -> None:
        where = f"{parent.slug} › #{order + 1}" if parent else f"location #{order + 1}"
        node = _check_keys(raw, LOCATION_KEYS, where)
        slug = _slug(node.get("slug"), where)
        where = f"{parent.slug} › {slug}" if parent else slug
        if slug in seen:
            raise CatalogError(_("%(where)s: slug “%(slug)s” is listed twice.") % {"where": where, "slug": slug})
        kind = node.get("kind")
        if kind not in Location.Kind.values:
            raise CatalogError(_("%(where)s: unknown kind “%(kind)s”.") % {"where": where, "kind": kind})
        lat = _decimal(node.get("lat"), where, "lat", 6)
        lon = _decimal(node.get("lon"), where, "lon", 6)
        if (lat is not None and abs(lat) > 90) or (lon is not None and abs(lon) > 180):
            raise CatalogError(_("%(where)s: coordinates out of range.") % {"where": where})
        spec = LocationSpec(
            slug=slug,
            kind=kind,
            name=_translated(node.get("name"), where, "name"),
            lat=lat,
            lon=lon,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            order=order,
        )
        seen[slug] = spec
        specs.append(spec)
        children = node.get("children") or []
        if not isinstance(children, list):
            raise CatalogError(_("%(where)s: children must be a list.") % {"where": where})
        for child_order, child in enumerate(children):
            walk(child, spec, child_order)

    for order, root in enumerate(roots):
        walk(root, None, order)
    return specs
