"""Text helpers shared by the apps: transliteration and slugs."""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import slugify

# Russian/Uzbek Cyrillic to the Latin spelling Uzbeks use (o'zbek lotin yozuvi),
# so slugs read naturally in both languages: "Тошкент" -> "toshkent".
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "o'", "қ": "q", "ғ": "g'",
    "ҳ": "h",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Cyrillic to Latin, keeping the case of the first letter."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in CYRILLIC_TO_LATIN:
            latin = CYRILLIC_TO_LATIN[low]
            out.append(latin.capitalize() if ch != low else latin)
        else:
            out.append(ch)
    return "".join(out)


def plain_decimal(value: Decimal) -> str:
    """``125000000.00`` -> ``125000000``, ``54.50`` -> ``54.5``: what people type, never ``1.25E+8``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def slugify_any(text: str) -> str:
    """An ASCII slug for ru or uz text (apostrophes of o' and g' dropped)."""
    return slugify(transliterate(text).replace("'", "").replace("ʻ", "").replace("ʼ", ""))
