"""The blueprint: the catalog compiled once for fast generation: per-leaf attribute specs, title templates, weighted locations."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from classifieds.taxonomy.models import Attribute, Category, Location

from . import vocab
from .kinds import KINDS, Kind, detect_kind

NULL = "\\N"
TASHKENT_SHARE = 0.40
CAPITAL_NAMES = {"tashkent", "toshkent", "toshkent-shahri", "tashkent-city", "ташкент", "г. ташкент", "город ташкент"}


def cumulative(weights: Iterable[float]) -> list[float]:
    """Running sums, for drawing an index with ``bisect``."""
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass
class AttrSpec:
    """One attribute of a leaf's schema, with its COPY fragments and option weights precomputed."""

    id: int
    key: str
    type: str
    required: bool
    label: tuple[str, str]
    unit: tuple[str, str]
    lo: float
    hi: float
    integer: bool
    presence: float
    options: list[tuple[int, str, str, str]] = field(default_factory=list)  # (id, value, ru, uz)
    option_cum: list[float] = field(default_factory=list)
    option_rows: list[str] = field(default_factory=list)  # "attribute\toption\ttext\tnumber\tbool"
    # A choice whose options name their parent's ("chevrolet-cobalt" under make "chevrolet"):
    parent: AttrSpec | None = None
    parent_index: list[int | None] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return self.type in (Attribute.Type.CHOICE, Attribute.Type.MULTICHOICE)


@dataclass(frozen=True)
class Slot:
    names: tuple[str, ...]  # alternatives: the first with a value is used
    modifier: str  # "", "l" lower, "n" bare number, "v" option value, "yes" present when true


@dataclass(frozen=True)
class Segment:
    optional: bool
    parts: tuple[str | Slot, ...]


def compile_template(template: str) -> tuple[Segment, ...]:
    """``"{model/make} {year|n}[, {transmission|l}]"`` -> segments ([...] is dropped when a value is missing)."""
    segments = []
    for chunk in re.split(r"(\[[^\]]*\])", template):
        if not chunk:
            continue
        optional = chunk.startswith("[")
        body = chunk[1:-1] if optional else chunk
        parts: list[str | Slot] = []
        for piece in re.split(r"(\{[^}]*\})", body):
            if piece.startswith("{"):
                spec, _, modifier = piece[1:-1].partition("|")
                parts.append(Slot(tuple(spec.split("/")), modifier))
            elif piece:
                parts.append(piece)
        segments.append(Segment(optional, tuple(parts)))
    return tuple(segments)


@dataclass
class LeafInfo:
    """A leaf category ready for generation."""

    id: int
    slug: str
    top_id: int
    name: tuple[str, str]
    kind: Kind
    lifetime_days: int
    moderated: bool
    attrs: list[AttrSpec]  # schema order (descriptions list values in it)
    gen_order: list[AttrSpec]  # what others depend on first
    noun_keys: tuple[str, ...]  # choice attributes whose options have item nouns
    choice_keys: tuple[str, ...]
    templates: tuple[tuple[Segment, ...], tuple[Segment, ...]] | None
    condition_key: str | None  # a "state" attribute that decides Listing.condition
    price_periods: tuple[str, ...] = ("once",)  # what the category's prices are per, its default first
    by_key: dict[str, AttrSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_key = {spec.key: spec for spec in self.attrs}


@dataclass
class LocInfo:
    id: int
    name: tuple[str, str]
    lat: float | None
    lon: float | None
    jitter: float
    capital: bool


@dataclass
class Blueprint:
    leaves: list[LeafInfo]
    leaf_cum: list[float]
    locations: list[LocInfo]
    location_cum: list[float]
    tops: list[Category]


# Values other attributes depend on are generated first.
PRIORITY = ("make", "brand", "year", "rooms", "floors", "animal_type", "ad_type", "age_months", "deal")


def _option_weight(key: str, value: str, index: int) -> float:
    """Popularity of an option: the vocabulary's (exact, else the longest prefix), else by list position."""
    name = f"{key}={value}"
    exact = vocab.OPTION_WEIGHTS.get(name)
    if exact is not None:
        return exact
    prefixes = [p for p in vocab.OPTION_WEIGHTS if p.endswith("*") and name.startswith(p[:-1])]
    if prefixes:
        return vocab.OPTION_WEIGHTS[max(prefixes, key=len)]
    return 1 / (index + 1) ** 0.6


def _compile_attribute(attr: Attribute) -> AttrSpec:
    options = sorted(attr.options.all(), key=lambda o: (o.order, o.pk))
    lo = float(attr.min_value) if attr.min_value is not None else 0.0
    hi = float(attr.max_value) if attr.max_value is not None else 1e12
    key = attr.key
    spec = AttrSpec(
        id=attr.pk,
        key=key,
        type=attr.type,
        required=attr.required,
        label=(attr.label_ru or attr.label, attr.label_uz or attr.label_ru or attr.label),
        unit=(attr.unit_ru or attr.unit or "", attr.unit_uz or attr.unit_ru or attr.unit or ""),
        lo=lo,
        hi=hi,
        integer=attr.type == Attribute.Type.INTEGER and math.ceil(lo) <= math.floor(hi),
        presence=0.85 if attr.filterable else 0.6,
        options=[(o.pk, o.value, o.label_ru or o.label, o.label_uz or o.label_ru or o.label) for o in options],
    )
    spec.option_cum = cumulative(_option_weight(key, value, i) for i, (_, value, _, _) in enumerate(spec.options))
    spec.option_rows = [f"{spec.id}\t{oid}\t\t{NULL}\t{NULL}" for oid, *_ in spec.options]
    return spec


def _link_dependent_choices(specs: Sequence[AttrSpec]) -> None:
    """Mark choices whose option values extend another choice's ("kia-k5" under "kia") as its children."""
    choices = [s for s in specs if s.type == Attribute.Type.CHOICE and s.options]
    for child in choices:
        for parent in choices:
            if parent is child:
                continue
            parent_values = {value: i for i, (_, value, _, _) in enumerate(parent.options)}
            index: list[int | None] = []
            for _, value, _, _ in child.options:
                match = None
                for cut in range(len(value) - 1, 0, -1):
                    if value[cut] == "-" and value[:cut] in parent_values:
                        match = parent_values[value[:cut]]
                        break
                index.append(match)
            if sum(i is not None for i in index) >= 0.6 * len(index):
                child.parent, child.parent_index = parent, index
                break


def _leaf_templates(slug: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]] | None:
    pair = vocab.TITLE_TEMPLATES.get(slug)
    return (compile_template(pair[0]), compile_template(pair[1])) if pair else None


def compile_blueprint() -> Blueprint:
    """Everything generation needs from the catalog, in a handful of queries."""
    categories = {c.pk: c for c in Category.objects.all()}
    leaves = [c for c in categories.values() if c.is_leaf]
    if not leaves:
        raise ValueError("The catalog has no leaf categories: run `manage.py load_catalog` first.")
    attrs_by_cat: dict[int, list[Attribute]] = {}
    for attr in Attribute.objects.prefetch_related("options").order_by("order", "pk"):
        attrs_by_cat.setdefault(attr.category_id, []).append(attr)
    option_noun_keys = {k.partition("=")[0] for k in vocab.OPTION_NOUNS}  # "key" or "leaf-slug:key"

    compiled = []
    for leaf in sorted(leaves, key=lambda c: (c.path, c.pk)):
        path = list(leaf.path or [leaf.pk])
        chain = [categories[i] for i in reversed(path) if i in categories]
        slug = leaf.slug_ru or leaf.slug
        kind = detect_kind([(c.slug_ru or c.slug, c.slug, c.slug_uz or "") for c in chain])
        specs = [_compile_attribute(a) for cid in path for a in attrs_by_cat.get(cid, [])]
        _link_dependent_choices(specs)
        templates = _leaf_templates(slug)
        in_title = {name for segs in templates or () for seg in segs for part in seg.parts
                    if isinstance(part, Slot) for name in part.names}  # fmt: skip
        noun_keys = tuple(
            s.key for s in specs if s.is_choice and (s.key in option_noun_keys or f"{slug}:{s.key}" in option_noun_keys)
        )
        for spec in specs:
            if spec.key in in_title or spec.key in noun_keys:
                spec.presence = max(spec.presence, 0.95)  # titles read better with the values they name
        children_first = sorted(specs, key=lambda s: 0 if s.parent is not None else 1)
        gen_order = sorted(children_first, key=lambda s: 0 if s.key in PRIORITY or s.parent else 1)
        compiled.append(
            LeafInfo(
                id=leaf.pk,
                slug=slug,
                top_id=path[0],
                name=(leaf.name_ru or leaf.name, leaf.name_uz or leaf.name_ru or leaf.name),
                kind=kind,
                lifetime_days=leaf.listing_lifetime_days or 30,
                moderated=leaf.requires_moderation,
                attrs=specs,
                gen_order=gen_order,
                noun_keys=noun_keys,
                choice_keys=tuple(s.key for s in specs if s.type == Attribute.Type.CHOICE),
                templates=templates,
                condition_key=next((s.key for s in specs if s.key in ("state", "condition") and s.is_choice), None),
                price_periods=tuple(leaf.price_period_choices),
            )
        )
    locations, location_cum = _compile_locations()
    tops = sorted((categories[i] for i in {leaf.top_id for leaf in compiled}), key=lambda c: (c.path, c.pk))
    return Blueprint(compiled, _leaf_cum(compiled), locations, location_cum, tops)


def _leaf_cum(leaves: list[LeafInfo]) -> list[float]:
    """Leaf weights: fixed shares for cars, flats and phones; the rest spread by a stable hash."""
    by_kind: dict[str, int] = {}
    for leaf in leaves:
        by_kind[leaf.kind.name] = by_kind.get(leaf.kind.name, 0) + 1
    fixed = sum(KINDS[k].share for k in by_kind)
    rest = [leaf for leaf in leaves if not leaf.kind.share]
    rest_weights = {leaf.id: 0.5 + (zlib.crc32(leaf.slug.encode()) % 1000) / 666 for leaf in rest}
    rest_total = sum(rest_weights.values()) or 1.0
    rest_share = max(0.0, 1.0 - fixed) if rest else 0.0
    return cumulative(
        leaf.kind.share / by_kind[leaf.kind.name]
        if leaf.kind.share
        else rest_share * rest_weights[leaf.id] / rest_total
        for leaf in leaves
    )


def _compile_locations() -> tuple[list[LocInfo], list[float]]:
    """Leaf locations and their weights: ~40 % in Tashkent, the rest split over regions, centres first."""
    locations = {loc.pk: loc for loc in Location.objects.all()}
    if not locations:
        raise ValueError("The catalog has no locations: run `manage.py load_catalog` first.")
    parents = {loc.parent_id for loc in locations.values() if loc.parent_id}
    capital = _find_capital(locations.values())
    out: list[LocInfo] = []
    groups: dict[int, list[LocInfo]] = {}
    for loc in sorted(locations.values(), key=lambda x: (x.path, x.pk)):
        if loc.pk in parents:
            continue
        path = list(loc.path or [loc.pk])
        lat = lon = None
        for i in reversed(path):
            node = locations.get(i)
            if node is not None and node.lat is not None and node.lon is not None:
                lat, lon = float(node.lat), float(node.lon)
                break
        in_capital = capital is not None and capital in path
        info = LocInfo(
            id=loc.pk,
            name=(loc.name_ru or loc.name, loc.name_uz or loc.name_ru or loc.name),
            lat=lat,
            lon=lon,
            jitter=0.012 if loc.kind == Location.Kind.DISTRICT else 0.025,
            capital=in_capital,
        )
        out.append(info)
        groups.setdefault(-1 if in_capital else path[0], []).append(info)
    others = [g for g in groups if g != -1]
    capital_share = (TASHKENT_SHARE if others else 1.0) if -1 in groups else 0.0
    weights: dict[int, float] = {}
    for group, members in groups.items():
        share = capital_share if group == -1 else (1 - capital_share) / len(others)
        # Districts of the capital are alike; elsewhere the regional centre (listed first) is busiest.
        raw = [1.0 if group == -1 else 1 / (rank + 1) ** 0.8 for rank in range(len(members))]
        for member, w in zip(members, raw, strict=True):
            weights[member.id] = share * w / sum(raw)
    return out, cumulative(weights[m.id] for m in out)


def _find_capital(locations: Iterable[Location]) -> int | None:
    """The Tashkent city node (or a region of that name if the tree has no city level)."""
    best = None
    for loc in locations:
        names = {loc.slug.lower(), (loc.name_ru or "").lower(), (loc.name_uz or "").lower()}
        if names & CAPITAL_NAMES:
            rank = 0 if loc.kind == Location.Kind.CITY else 1
            if best is None or rank < best[0]:
                best = (rank, loc.pk)
    return best[1] if best else None
