"""Synonym groups (``search.Synonym``: айфон/iphone, машина/avtomobil) as every matcher reads them, cached per process."""

from __future__ import annotations

import time

_synonyms: tuple[float, list[list[str]]] = (0.0, [])
SYNONYMS_TTL = 60.0


def synonym_groups() -> list[list[str]]:
    """Synonym groups from the database, re-read at most once a minute per process."""
    global _synonyms
    loaded_at, groups = _synonyms
    now = time.monotonic()
    if now - loaded_at > SYNONYMS_TTL or not loaded_at:
        from .models import Synonym

        groups = [list(terms) for terms in Synonym.objects.values_list("terms", flat=True)]
        _synonyms = (now, groups)
    return groups


def forget_synonyms() -> None:
    """Read synonyms again on next use (after an edit in Admin, and in tests)."""
    global _synonyms
    _synonyms = (0.0, [])
