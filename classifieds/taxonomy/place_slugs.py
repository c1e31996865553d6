"""Uzbek (Latin) slugs of places, derived from their Uzbek names.

A place's Russian slug comes from the catalogue file (``tashkent``); its Uzbek
slug is its Uzbek name made a slug (``Toshkent`` → ``toshkent``,
``Mirzo Ulug‘bek tumani`` → ``mirzo-ulugbek-tumani``). No slug names two
places, in any language: a derived slug another place already holds gets the
parent's Uzbek slug appended, then a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# The apostrophes of o‘ g‘ and the tutuq belgisi: dropped, not turned into a hyphen.
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bb\u02bc\u0060\u00b4']")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def latin_slug(text: str) -> str:
    """``Mirzo Ulug‘bek tumani`` → ``mirzo-ulugbek-tumani``; ``""`` when nothing Latin is left."""
    text = _APOSTROPHES.sub("", text or "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_SLUG.sub("-", text).strip("-")[:120].strip("-")


@dataclass(frozen=True)
class PlaceName:
    """What the Uzbek slug of a place is derived from; ``key`` names the place, ``parent`` its parent's key."""

    key: object
    slug_ru: str
    name_uz: str
    parent: object = None


def uzbek_place_slugs(places: Iterable[PlaceName], *, taken: Iterable[str] = ()) -> dict[object, str]:
    """The Uzbek slug of every place (parents before children), none equal to another place's slug.

    ``taken``: slugs held by places not in ``places``.
    """
    places = list(places)
    held: dict[str, object] = dict.fromkeys(taken)
    for place in places:
        held[place.slug_ru] = place.key
    result: dict[object, str] = {}
    for place in places:
        base = latin_slug(place.name_uz) or place.slug_ru
        candidates = [base]
        if place.parent in result:
            candidates.append(f"{base}-{result[place.parent]}")
        candidates.extend(f"{base}-{n}" for n in range(2, 1000))
        slug = next(c for c in candidates if held.get(c, place.key) == place.key)
        held[slug] = place.key
        result[place.key] = slug
    return result
