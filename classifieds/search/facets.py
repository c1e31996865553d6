"""What the search-results page shows around the results: facet groups, links with counts, chips.

Pure presentation: it turns the schema, the validated parameters and the
backend's ``Facets`` into lists the template renders. Every URL is built from
the *cleaned* parameters, so junk in the address never spreads into links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext as _

from classifieds.listings.models import Listing
from classifieds.listings.money import format_money
from classifieds.taxonomy.models import Attribute, Category, Location

from .filters import SELLER_CHOICES, YES
from .query import (
    BOOLEAN,
    CATEGORY,
    CONDITION_VALUES,
    LOCATION,
    PHOTO,
    PRICE_LADDER,
    SELLER_VALUES,
    Facets,
    price_bucket_bounds,
)

VISIBLE_OPTIONS = 8


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False

    @property
    def disabled(self) -> bool:
        return self.count == 0 and not self.selected


@dataclass
class FacetGroup:
    """Checkboxes (``kind="checkbox"``), radio buttons, or a numeric range (``fields``: min and max)."""

    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)
    selected: bool = False
    kind: str = "checkbox"
    fields: tuple = ()

    @property
    def visible(self) -> list[FacetOption]:
        return self.options[:VISIBLE_OPTIONS]

    @property
    def more(self) -> list[FacetOption]:
        return self.options[VISIBLE_OPTIONS:]


@dataclass
class FacetLink:
    label: str
    url: str
    count: int | None = None
    current: bool = False


@dataclass
class Chip:
    label: str
    url: str


def url_with(path: str, params: QueryDict, *, drop: Iterable[tuple[str, str | None]] = (), **replace: str) -> str:
    """``path`` with ``params`` minus ``drop`` ((name, value) or (name, None) for all), plus ``replace``; no page."""
    query = params.copy()
    query.pop("page", None)
    for name, value in drop:
        if value is None:
            query.pop(name, None)
        else:
            query.setlist(name, [v for v in query.getlist(name) if v != value])
    for name, value in replace.items():
        query[name.replace("__", ".")] = value
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


def _options(
    name: str,
    label: str,
    choices: Iterable[tuple[str, str, int]],
    counts: dict[int, int],
    selected: list[str],
) -> FacetGroup:
    """A checkbox group: zero-count options are hidden unless the group has a selection (then disabled)."""
    group = FacetGroup(name=name, label=label, selected=bool(selected))
    for value, text, facet_id in choices:
        option = FacetOption(value=value, label=text, count=counts.get(facet_id, 0), selected=value in selected)
        if option.count or group.selected:
            group.options.append(option)
    return group


def facet_groups(schema: list[Attribute], params: QueryDict, facets: Facets, form) -> list[FacetGroup]:
    """Condition, every filterable attribute of the schema (in its order) and seller type, with counts."""
    groups = [
        _options(
            "condition",
            _("Condition"),
            [(value, label, CONDITION_VALUES[value]) for value, label in Listing.Condition.choices],
            facets.for_group("condition"),
            params.getlist("condition"),
        )
    ]
    for attribute in schema:
        if not attribute.filterable:
            continue
        name = f"attrs.{attribute.key}"
        if attribute.has_options:
            choices = [(o.value, o.label, o.pk) for o in attribute.options.all()]
        elif attribute.type == Attribute.Type.BOOLEAN:
            choices = [(YES, _("yes"), BOOLEAN + attribute.pk)]
        elif attribute.is_numeric:
            low, high = form[f"{name}_min"], form[f"{name}_max"]
            groups.append(
                FacetGroup(
                    name=name,
                    label=f"{attribute.label}, {attribute.unit}" if attribute.unit else attribute.label,
                    kind="range",
                    fields=(low, high),
                    selected=bool(params.get(f"{name}_min") or params.get(f"{name}_max")),
                )
            )
            continue
        else:
            continue
        groups.append(_options(name, attribute.label, choices, facets.for_group(name), params.getlist(name)))
    seller = _options(
        "seller",
        _("Seller"),
        [(value, str(label), SELLER_VALUES[value]) for value, label in SELLER_CHOICES],
        facets.for_group("seller"),
        params.getlist("seller"),
    )
    seller.kind = "radio"
    groups.append(seller)
    return [group for group in groups if group.options or group.kind == "range"]


def photo_count(facets: Facets) -> int:
    return facets.values.get(PHOTO, 0)


def price_links(path: str, params: QueryDict, facets: Facets) -> list[FacetLink]:
    """Price buckets with counts (counted without the current price filter)."""
    links = []
    current = (params.get("price_min"), params.get("price_max"), params.get("currency", "UZS"))
    for bucket in range(1, len(PRICE_LADDER) + 1):
        count = facets.price.get(bucket, 0)
        low, high = price_bucket_bounds(bucket)
        is_current = current == (str(low), str(high) if high is not None else None, "UZS")
        if not count and not is_current:
            continue
        if high is None:
            label = _("from %(amount)s") % {"amount": compact_sum(low)}
            replace = {"price_min": str(low)}
            drop = [("price_max", None)]
        elif low == 0:
            label = _("up to %(amount)s") % {"amount": compact_sum(high + 1)}
            replace = {"price_max": str(high)}
            drop = [("price_min", None)]
        else:
            label = f"{compact_sum(low, unit=False)} – {compact_sum(high + 1)}"
            replace = {"price_min": str(low), "price_max": str(high)}
            drop = []
        url = url_with(path, params, drop=[*drop, ("currency", None)], **replace)
        links.append(FacetLink(label=label, url=url, count=count, current=is_current))
    return links


def compact_sum(amount: int, *, unit: bool = True) -> str:
    """A round amount of sum the short way: ``2,5 млрд сум``, ``500 тыс. сум`` (``unit=False``: no currency)."""
    for size, label in ((10**9, _("bn")), (10**6, _("mln")), (10**3, _("thousand"))):
        if amount >= size:
            number = f"{amount / size:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            text = f"{number} {label}"
            break
    else:
        text = str(amount)
    return f"{text} {_('sum')}" if unit else text


def category_links(
    children: list[Category], facets: Facets, url_for: Callable[[Category], str], params: QueryDict
) -> list[FacetLink]:
    """Child categories with how many results each would keep (empty ones left out)."""
    links = []
    for child in children:
        count = facets.values.get(CATEGORY + child.pk, 0)
        if count:
            links.append(FacetLink(label=child.name, url=url_with(url_for(child), params), count=count))
    return links


def location_links(
    places: list[Location], facets: Facets, url_for: Callable[[Location], str], params: QueryDict
) -> list[FacetLink]:
    """Child places with counts; a place without results is still listed (a link costs nothing)."""
    return [
        FacetLink(
            label=place.name, url=url_with(url_for(place), params), count=facets.values.get(LOCATION + place.pk, 0)
        )
        for place in places
    ]


def chips(
    path: str,
    params: QueryDict,
    schema: list[Attribute],
    groups: list[FacetGroup],
) -> list[Chip]:
    """One removable chip per active filter value."""
    labels = {(g.name, o.value): o.label for g in groups for o in g.options}
    found: list[Chip] = []
    for value in params.getlist("condition"):
        found.append(Chip(labels.get(("condition", value), value), url_with(path, params, drop=[("condition", value)])))
    for attribute in schema:
        name = f"attrs.{attribute.key}"
        for value in params.getlist(name):
            text = labels.get((name, value), value)
            if attribute.type == Attribute.Type.BOOLEAN:
                text = attribute.label
            found.append(Chip(f"{text}", url_with(path, params, drop=[(name, value)])))
        low, high = params.get(f"{name}_min"), params.get(f"{name}_max")
        if low or high:
            unit = f" {attribute.unit}" if attribute.unit else ""
            found.append(
                Chip(
                    f"{attribute.label}: {_range_text(low, high)}{unit}",
                    url_with(path, params, drop=[(f"{name}_min", None), (f"{name}_max", None)]),
                )
            )
    low, high = params.get("price_min"), params.get("price_max")
    if low or high:
        currency = params.get("currency", "UZS")
        text = _range_text(
            format_money(Decimal(low), currency) if low else "",
            format_money(Decimal(high), currency) if high else "",
        )
        found.append(
            Chip(
                _("Price: %(range)s") % {"range": text},
                url_with(path, params, drop=[("price_min", None), ("price_max", None), ("currency", None)]),
            )
        )
    if params.get("photo"):
        found.append(Chip(_("With photo"), url_with(path, params, drop=[("photo", None)])))
    radius = params.get("radius")
    if radius and (params.get("near") or (params.get("lat") and params.get("lon"))):
        drop = [("radius", None), ("near", None), ("lat", None), ("lon", None)]
        found.append(Chip(_("Within %(km)s km") % {"km": radius}, url_with(path, params, drop=drop)))
    seller = params.get("seller")
    if seller:
        found.append(Chip(labels.get(("seller", seller), seller), url_with(path, params, drop=[("seller", None)])))
    return found


def _range_text(low: str | None, high: str | None) -> str:
    if low and high:
        return f"{low} – {high}"
    if low:
        return _("from %(amount)s") % {"amount": low}
    return _("up to %(amount)s") % {"amount": high}
