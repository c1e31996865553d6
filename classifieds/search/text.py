"""Query text: Latin skeletons for Cyrillic/Latin matching, crude Uzbek suffixes, synonym variants.

Uzbek is written in Cyrillic and in Latin, Russian words get typed in Latin on
phones, and brands in either script. Documents are indexed twice (Russian
stemming, and the Latin skeleton of their title and attributes); a query is
matched as typed and as its Latin skeleton, so ``kobalt`` finds ``Кобальт`` and
``телефон`` finds ``telefon``. The same mapping exists in SQL as
``bozor_translit()`` (search migration 0001); a test keeps the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from classifieds.core.text import CYRILLIC_TO_LATIN

MAX_QUERY_LENGTH = 200
MAX_VARIANTS = 6
APOSTROPHES = "'ʻʼ‘’`"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LATIN_WORD = re.compile(r"[a-z0-9]+")
# Uzbek case and plural endings, longest first; stripped from Latin query words so
# "toshkentda" or "telefonlar" match "Toshkent" and "telefon" by prefix.
UZ_SUFFIXES = (
    "larining",
    "laridan",
    "larida",
    "larini",
    "larga",
    "lardan",
    "larda",
    "larni",
    "ning",
    "dagi",
    "lari",
    "dan",
    "lar",
    "da",
    "ga",
    "ni",
    "ka",
    "qa",
)


def clean_query(text: str) -> str:
    """Printable, single-spaced, at most MAX_QUERY_LENGTH characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def latin_skeleton(text: str) -> str:
    """Lower-case Latin spelling without apostrophes: ``Кобальт`` -> ``kobalt``, ``O‘zbek`` -> ``ozbek``."""
    out = []
    for ch in text.lower():
        out.append(CYRILLIC_TO_LATIN.get(ch, ch))
    skeleton = "".join(out)
    for mark in APOSTROPHES:
        skeleton = skeleton.replace(mark, "")
    return skeleton


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def uz_stem(word: str) -> str:
    """Drop one Uzbek ending when at least four letters remain."""
    for suffix in UZ_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def has_operators(text: str) -> bool:
    """Uses web-search syntax: quotes, ``or`` or a ``-word`` exclusion."""
    return '"' in text or re.search(r"(^|\s)-\w", text) is not None or " or " in f" {text.lower()} "


def latin_tsquery(text: str) -> str:
    """A ``to_tsquery`` string over the Latin skeleton: every word; a word with an Uzbek ending by its stem's prefix.

    Prefixes only where needed: they match more and the planner cannot estimate
    them, which makes it choose slow plans. Only ``[a-z0-9]`` survives, so the
    result is always valid tsquery syntax.
    """
    terms = []
    for word in _LATIN_WORD.findall(latin_skeleton(text)):
        stem = uz_stem(word)
        terms.append(f"{stem}:*" if stem != word else word)
    return " & ".join(dict.fromkeys(terms))


def synonym_variants(text: str, groups: Iterable[Iterable[str]]) -> list[str]:
    """``text`` with each known term replaced by its synonyms (at most MAX_VARIANTS variants).

    Terms match whole words by their Latin skeleton, so a group with ``кобальт``
    also answers ``kobalt`` and ``кобальт`` with a missing soft sign; ``айфон 13``
    with the group (айфон, iphone) gives ``["iphone 13"]``.
    """
    tokens = words(text)
    skeleton = f" {' '.join(latin_skeleton(t) for t in tokens)} "
    variants: list[str] = []
    for group in groups:
        terms = [" ".join(words(term)) for term in group]
        terms = [t for t in terms if t]
        for term in terms:
            term_skeleton = " ".join(latin_skeleton(w) for w in term.split())
            if f" {term_skeleton} " not in skeleton:
                continue
            start = skeleton.index(f" {term_skeleton} ")
            before = len(skeleton[:start].split())
            width = len(term_skeleton.split())
            typed = " ".join(tokens[before : before + width])
            for other in terms:
                if other == typed:
                    continue
                variant = " ".join([*tokens[:before], other, *tokens[before + width :]])
                if variant not in variants and variant != " ".join(tokens):
                    variants.append(variant)
                if len(variants) >= MAX_VARIANTS:
                    return variants
            break
    return variants
