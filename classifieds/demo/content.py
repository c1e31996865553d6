"""What a demo listing says: attribute values, title, reference price and description, in ru or uz.

Drawn from the ``random.Random`` in the ``Ctx``, so it depends only on the seed;
``generate`` turns it into COPY rows.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from classifieds.taxonomy.models import Attribute

from . import vocab
from .blueprint import NULL, AttrSpec, LeafInfo, LocInfo, Segment, Slot


def esc(text: str) -> str:
    """Escape a string for COPY text format."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def weighted(rng: random.Random, cum: Sequence[float]) -> int:
    """An index drawn with the weights whose running sums are ``cum``."""
    return bisect(cum, rng.random() * cum[-1])


def fmt_int(n: float) -> str:
    """45000 -> '45 000'."""
    return f"{int(n):,}".replace(",", " ")


def nice(x: float) -> int:
    """Round a price the way sellers do: two significant digits, halves allowed."""
    if x < 10:
        return max(1, round(x))
    magnitude = 10 ** (int(math.log10(x)) - 1)
    step = magnitude * 5 if x / magnitude > 50 else magnitude
    return int(round(x / step) * step)


def span(rng: random.Random, lo: float, hi: float) -> float:
    """A log-scale draw between lo and hi, bunched in the middle (how prices spread)."""
    u = (rng.random() + rng.random() + rng.random()) / 3
    return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))


def plain_number(number: float) -> str:
    """2.0 -> '2', 54.25 -> '54.25' (what value_number stores)."""
    d = Decimal(repr(number))
    return str(int(d)) if d == d.to_integral_value() else f"{d:.2f}".rstrip("0").rstrip(".")


@dataclass(slots=True)
class Val:
    """A generated attribute value: ru/uz display text, its number, its raw form and its EAV rows."""

    ru: str
    uz: str
    number: float | None
    raw: Any  # option value(s), number, bool or text: what validate_attribute_values accepts
    rows: list[str]


class Ctx:
    """What is known about the listing being generated."""

    __slots__ = ("rng", "lang", "values", "loc", "leaf", "year", "price_range")

    def __init__(self, rng: random.Random, lang: int, loc: LocInfo, leaf: LeafInfo, year: int):
        self.rng = rng
        self.lang = lang
        self.values: dict[str, Val] = {}
        self.loc = loc
        self.leaf = leaf
        self.year = year
        self.price_range: tuple[float, float] | None = None

    def num(self, key: str) -> float | None:
        v = self.values.get(key)
        return v.number if v is not None else None

    def raw(self, key: str) -> Any:
        v = self.values.get(key)
        return v.raw if v is not None else None

    def set_number(self, key: str, number: float) -> None:
        """Override a numeric value (kept within the attribute's range)."""
        spec = self.leaf.by_key.get(key)
        if spec is not None:
            self.values[key] = number_val(spec, min(max(number, spec.lo), spec.hi))


def number_val(spec: AttrSpec, number: float) -> Val:
    if spec.integer:
        number = float(round(number))
    text = plain_number(number)
    shown = fmt_int(number) if spec.integer and number >= 10000 else text
    ru = f"{shown} {spec.unit[0]}".strip() if spec.unit[0] != "R" else f"R{shown}"
    uz = f"{shown} {spec.unit[1]}".strip() if spec.unit[1] != "R" else f"R{shown}"
    return Val(ru, uz, number, text, [f"{spec.id}\t{NULL}\t\t{text}\t{NULL}"])


# --- attribute values ---------------------------------------------------------------------------


def _draw_number(spec: AttrSpec, ctx: Ctx) -> float:
    """A plausible number for a numeric attribute, by what its key means; clamped to min/max."""
    rng, key, kind = ctx.rng, spec.key, ctx.leaf.kind.name
    lo, hi = spec.lo, spec.hi
    if key == "year" or key.endswith("_year"):
        value = min(hi, ctx.year) - abs(rng.gauss(0, 6 if kind == "cars" else 10))
    elif key == "mileage":
        year = ctx.num("year")
        age = max(0.0, ctx.year - year) if year is not None else rng.uniform(0.5, 15)
        value = 0 if age == 0 and rng.random() < 0.5 else (age + 0.3) * rng.uniform(7000, 22000)
        value = round(value, -3) if value > 5000 else value
    elif key == "engine_volume":
        value = rng.choice((1.0, 1.2, 1.25, 1.5, 1.5, 1.5, 1.5, 1.6, 1.8, 2.0, 2.0, 2.4, 2.5, 3.5))
    elif key == "engine_cc":
        value = rng.choice((50, 110, 125, 125, 150, 250, 400, 650, 1000))
    elif key == "payload":
        value = rng.choice((1.5, 2, 3, 3, 5, 5, 10, 20, 25))
    elif key == "seats":
        value = rng.choice((12, 16, 18, 25, 30, 45, 50))
    elif key == "diameter":
        value = rng.choice((13, 14, 15, 15, 15, 16, 16, 17, 18, 19, 20))
    elif key == "rooms":
        value = (1, 1, 2, 2, 2, 3, 3, 3, 4, 5)[rng.randrange(10)] + (2 if kind.startswith("house") else 0)
    elif key == "area":
        rooms = ctx.num("rooms") or rng.randint(1, 4)
        if kind.startswith("apartment"):
            value = 18 + rooms * rng.uniform(14, 22)
        elif kind.startswith("house"):
            value = 50 + rooms * rng.uniform(15, 30)
        elif kind == "garage":
            value = rng.uniform(15, 40)
        else:
            value = span(rng, 20, 600)
        value = round(value) if rng.random() < 0.7 else round(value, 1)
    elif key == "floors":
        value = rng.choice((4, 4, 5, 9, 9, 9, 12, 16, 3, 7)) if kind.startswith("apartment") else rng.choice((1, 1, 2))
    elif key == "floor":
        floors = ctx.num("floors")
        value = rng.randint(1, int(floors)) if floors else rng.randint(1, 9)
    elif key == "land_area":
        value = rng.choice(
            (2, 3, 4, 5, 6, 6, 8, 10, 15) if kind.startswith("house") else (4, 6, 8, 10, 12, 15, 20, 50, 100)
        )
    elif key == "guests":
        value = 2 * (ctx.num("rooms") or 1) + rng.randint(0, 2)
    elif key == "battery_health":
        value = rng.randint(76, 100)
    elif key == "screen":
        value = rng.choice((13.3, 14.0, 15.6, 15.6, 16.0, 17.3))
    elif key == "diagonal":
        value = rng.choice((24, 32, 32, 43, 43, 50, 55, 55, 65, 75))
    elif key.startswith("salary"):
        value = span(rng, 2_500_000, 15_000_000)
    elif key == "shoe_size" or key == "wheel_size":
        value = rng.gauss((lo + hi) / 2, (hi - lo) / 6)
    elif key == "age_months":
        value = rng.choice((1, 2, 2, 3, 3, 4, 6, 8, 12, 24, 36))
    elif key == "head_count":
        value = rng.choice((1, 1, 2, 3, 5, 10, 20, 50))
    else:
        top = hi if hi < 1e9 else max(lo * 10, 100)
        base = max(lo, 1)
        value = span(rng, base, top) if top / base > 20 else rng.uniform(lo, top)
        value = round(value, 2)
    value = min(max(value, lo), hi)
    if spec.integer:
        value = float(min(max(round(value), math.ceil(lo)), math.floor(hi)))
    return value


def _text_value(spec: AttrSpec, ctx: Ctx) -> str:
    """A free-text value from the vocabulary: by leaf, by the option of a sibling choice, or by key."""
    leaf = ctx.leaf
    candidates = vocab.TEXT_VALUES.get(f"{leaf.slug}:{spec.key}")
    if candidates is None:
        for key in leaf.choice_keys:
            raw = ctx.raw(key)
            if raw is not None:
                candidates = vocab.TEXT_VALUES.get(f"{spec.key}={raw}")
                if candidates:
                    break
    if candidates is None:
        candidates = vocab.TEXT_VALUES.get(spec.key)
    if candidates is None:
        if not spec.required:
            return ""
        candidates = [("оригинал", "original"), ("стандарт", "standart")]
    return candidates[ctx.rng.randrange(len(candidates))][ctx.lang]


def draw_value(spec: AttrSpec, ctx: Ctx) -> None:
    """Generate ``spec``'s value into ``ctx.values`` (optional ones are sometimes left empty)."""
    rng = ctx.rng
    if not spec.required and rng.random() > spec.presence:
        return
    kind = spec.type
    if kind == Attribute.Type.CHOICE:
        i = weighted(rng, spec.option_cum)
        _, value, ru, uz = spec.options[i]
        ctx.values[spec.key] = Val(ru, uz, None, value, [spec.option_rows[i]])
        if spec.parent is not None and spec.parent.key not in ctx.values:
            j = spec.parent_index[i]
            if j is not None:  # the model decides the make
                _, pvalue, pru, puz = spec.parent.options[j]
                ctx.values[spec.parent.key] = Val(pru, puz, None, pvalue, [spec.parent.option_rows[j]])
    elif kind == Attribute.Type.MULTICHOICE:
        n = len(spec.options)
        k = 1 + int(rng.random() * min(n, 3)) if spec.required else int(rng.random() * min(n, 4))
        if k == 0:
            return
        picked = sorted({weighted(rng, spec.option_cum) for _ in range(k)})
        opts = [spec.options[i] for i in picked]
        ctx.values[spec.key] = Val(
            ", ".join(o[2] for o in opts),
            ", ".join(o[3] for o in opts),
            None,
            [o[1] for o in opts],
            [spec.option_rows[i] for i in picked],
        )
    elif kind in (Attribute.Type.INTEGER, Attribute.Type.DECIMAL):
        ctx.values[spec.key] = number_val(spec, _draw_number(spec, ctx))
    elif kind == Attribute.Type.BOOLEAN:
        flag = rng.random() < 0.6
        ru, uz = vocab.YES_NO[flag]
        ctx.values[spec.key] = Val(ru, uz, None, flag, [f"{spec.id}\t{NULL}\t\t{NULL}\t{'t' if flag else 'f'}"])
    else:
        text = _text_value(spec, ctx)[:255]
        if text:
            ctx.values[spec.key] = Val(text, text, None, text, [f"{spec.id}\t{NULL}\t{esc(text)}\t{NULL}\t{NULL}"])


# --- titles ------------------------------------------------------------------------------------


def pick_noun(ctx: Ctx) -> str:
    """The item noun: from a "what is it" option, else the leaf's nouns, else the kind's, else the leaf name."""
    leaf, rng = ctx.leaf, ctx.rng
    entries = None
    for key in leaf.noun_keys:
        raw = ctx.raw(key)
        if raw is not None and not isinstance(raw, list):
            entries = vocab.OPTION_NOUNS.get(f"{leaf.slug}:{key}={raw}") or vocab.OPTION_NOUNS.get(f"{key}={raw}")
            if entries:
                break
    if entries is None:
        entries = vocab.LEAF_NOUNS.get(leaf.slug) or vocab.NOUNS.get(leaf.kind.name)
    if not entries:
        return leaf.name[ctx.lang]
    if leaf.kind.name == "pets" and len(entries) == 3 and ctx.num("age_months") is not None:
        age = ctx.num("age_months")
        entry = entries[0 if age < 6 else 1 if age < 12 else 2]
    else:
        entry = entries[rng.randrange(len(entries))]
    if len(entry) == 4:
        ctx.price_range = (entry[2], entry[3])
    return entry[ctx.lang]


def _slot_text(slot: Slot, ctx: Ctx, noun: str) -> str | None:
    for name in slot.names:
        if name == "noun":
            return noun
        if name == "loc":
            return ctx.loc.name[ctx.lang]
        v = ctx.values.get(name)
        if v is None or v.raw == "other":
            continue
        modifier = slot.modifier
        if modifier == "n":
            return fmt_int(v.number) if v.number is not None and v.number >= 10000 else str(v.raw)
        if modifier == "v":
            return str(v.raw).upper()
        if modifier == "yes":
            return "" if v.raw is True else None
        text = v.uz if ctx.lang else v.ru
        return text.lower() if modifier == "l" else text
    return None


def render(segments: tuple[Segment, ...], ctx: Ctx, noun: str) -> str:
    """Fill a compiled title template; optional segments with a missing value are dropped."""
    out = []
    for segment in segments:
        pieces = []
        for part in segment.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            text = _slot_text(part, ctx, noun)
            if text is None:
                if segment.optional:
                    pieces = None
                    break
                text = ""
            pieces.append(text)
        if pieces:
            out.append("".join(pieces))
    return " ".join("".join(out).replace(" ,", ",").split()).strip(" ,:")


def build_title(ctx: Ctx) -> str:
    """The listing's title in its language."""
    leaf = ctx.leaf
    noun = pick_noun(ctx)
    if leaf.kind.name == "jobs":
        if ctx.raw("ad_type") == "resume":
            return ("Ish qidiryapman: {}" if ctx.lang else "Ищу работу: {}").format(noun)
        employment = ctx.values.get("employment")
        if employment is not None and employment.raw != "full" and ctx.rng.random() < 0.5:
            return f"{noun}, {(employment.uz if ctx.lang else employment.ru).lower()}"
        return noun
    if leaf.templates is not None:
        return render(leaf.templates[ctx.lang], ctx, noun)
    # Another catalog: the noun and one telling detail ("Диван угловой, бежевый").
    for key in leaf.choice_keys:
        v = ctx.values.get(key)
        if v is not None and v.raw != "other" and key not in leaf.noun_keys:
            detail = v.uz if ctx.lang else v.ru
            if len(noun) + len(detail) < 90:
                return f"{noun}, {detail.lower()}"
            break
    return noun


# --- prices -------------------------------------------------------------------------------------

_MEMORY_FACTOR = {"16gb": 0.6, "32gb": 0.7, "64gb": 0.85, "128gb": 1.0, "256gb": 1.15, "512gb": 1.3, "1tb": 1.45,
                  "2tb": 1.6}  # fmt: skip
_STATE_FACTOR = {"new": 1.2, "like-new": 1.05, "good": 1.0, "fair": 0.8, "for-parts": 0.35}


def reference_price(ctx: Ctx) -> float | None:
    """A price in the kind's currency that follows the attributes (None: use the noun's or kind's range)."""
    kind, rng, capital = ctx.leaf.kind.name, ctx.rng, ctx.loc.capital
    age = max(0.0, ctx.year - ctx.num("year")) if ctx.num("year") is not None else None
    if kind == "cars":
        base = vocab.CAR_PRICES.get(ctx.raw("model")) or span(rng, 4000, 30000)
        return max(1200.0, base * 0.91 ** ((age or 3) - 3) * rng.uniform(0.88, 1.12))
    if kind == "phones":
        base = vocab.PHONE_PRICES.get(ctx.raw("model")) or (
            span(rng, *ctx.price_range) if ctx.price_range else span(rng, 1_200_000, 6_000_000)
        )
        return base * _MEMORY_FACTOR.get(ctx.raw("memory"), 1.0) * _STATE_FACTOR.get(ctx.raw("state"), 1.0)
    area, rooms = ctx.num("area"), ctx.num("rooms") or 2
    if kind == "apartment_sale" and area:
        per_m2 = rng.uniform(900, 1500) if capital else rng.uniform(400, 850)
        if ctx.raw("renovation") in ("needs-repair", "shell"):
            per_m2 *= 0.85
        return area * per_m2
    if kind == "apartment_rent" and area:
        return area * (rng.uniform(6, 11) if capital else rng.uniform(3, 6))
    if kind == "apartment_daily":
        return (250_000 + rooms * 100_000) * rng.uniform(0.8, 1.3) * (1 if capital else 0.7)
    if kind == "house" and area:
        land = ctx.num("land_area") or 0
        return area * (rng.uniform(500, 1100) if capital else rng.uniform(150, 500)) + land * (
            rng.uniform(3000, 8000) if capital else rng.uniform(500, 2500)
        )
    if kind == "house_rent" and area:
        return area * (rng.uniform(4, 8) if capital else rng.uniform(2, 4))
    if kind == "land":
        per_sotka = rng.uniform(2500, 8000) if capital else rng.uniform(400, 2500)
        if ctx.raw("purpose") == "agricultural":
            per_sotka *= 0.3
        return (ctx.num("land_area") or 6) * per_sotka
    if kind == "commercial" and area:
        return area * (rng.uniform(8, 25) if ctx.raw("deal") == "rent" else rng.uniform(700, 2000))
    if kind == "garage":
        return rng.uniform(40, 150) if ctx.raw("deal") == "rent" else rng.uniform(2500, 12000)
    if kind == "tv" and ctx.num("diagonal"):
        premium = 1.3 if ctx.raw("brand") in ("samsung", "lg", "sony") else 1.0
        return 12_000 * ctx.num("diagonal") ** 1.5 * premium * rng.uniform(0.8, 1.2)
    if kind == "farm":
        lo, hi = ctx.price_range or ctx.leaf.kind.price
        return span(rng, lo, hi) * (ctx.num("head_count") or 1) ** 0.85
    if kind in ("trucks", "moto", "machinery") and age is not None:
        lo, hi = ctx.price_range or ctx.leaf.kind.price
        return span(rng, lo, hi) * 0.93 ** max(0.0, age - 2)
    return None


# --- descriptions --------------------------------------------------------------------------------


def build_description(ctx: Ctx, title: str, condition: str) -> str:
    """Intro, condition, the attribute values, a couple of sentences for the family and a closing."""
    rng, lang, leaf = ctx.rng, ctx.lang, ctx.leaf
    intro_key = leaf.kind.intro
    if leaf.kind.name == "jobs" and ctx.raw("ad_type") == "resume":
        intro_key = "resume"
    intros = vocab.INTROS[intro_key]
    lines = [intros[rng.randrange(len(intros))][lang].format(item=title, loc=ctx.loc.name[lang])]
    if condition:
        word = vocab.CONDITION_WORDS[condition][lang]
        lines.append(f"Holati: {word}." if lang else f"Состояние: {word}.")
    specs = [
        f"{spec.label[lang]}: {ctx.values[spec.key].uz if lang else ctx.values[spec.key].ru}"
        for spec in leaf.attrs
        if spec.key in ctx.values
    ]
    if specs:
        lines.append(vocab.SPECS_HEADER[lang] + "\n" + "\n".join(specs))
    extras = vocab.EXTRAS.get(leaf.kind.family, vocab.EXTRAS["other"])
    for _ in range(1 + (rng.random() < 0.6) + (rng.random() < 0.3)):
        lines.append(extras[rng.randrange(len(extras))][lang])
    closing = vocab.CLOSINGS[rng.randrange(len(vocab.CLOSINGS))][lang]
    if closing:
        lines.append(closing)
    return "\n".join(dict.fromkeys(lines))
