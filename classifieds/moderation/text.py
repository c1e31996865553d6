"""Text normalisation for matching banned words through common disguises.

One skeleton for ru and uz, Cyrillic or Latin: lower case, Cyrillic transliterated to
Latin the way Uzbek Latin spells it, apostrophes of o‘/g‘ dropped, letters typed one by
one ("т е л е ф о н") joined, and digits standing for letters inside a word ("нарк0тик")
read as those letters. A phrase is normalised the same way and matched at a word start.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ў": "o", "қ": "q", "ғ": "g", "ҳ": "h",
}  # fmt: skip
# Digits (and a few signs) typed for the letters they look like, inside a word.
_LOOKALIKES = {"0": "o", "1": "i", "3": "e", "4": "ch", "5": "s", "6": "b", "7": "t", "8": "v", "@": "a", "$": "s"}
# Latin spellings that a transliteration may give either way: "kh", "h" and "x" for х, "q" and "k" for
# қ/к (Russian spelling of Uzbek words), "w" for v. Digraphs first, so "ch"/"sh" stay themselves.
_LATIN = (
    ("sh", "ş"), ("ch", "ç"), ("kh", "x"), ("ph", "f"), ("h", "x"), ("w", "v"), ("c", "k"), ("q", "k"),
)  # fmt: skip
_APOSTROPHES = re.compile("[\u2018\u2019\u02bb\u02bc'`]")
_TOKEN = re.compile(r"[^\W_]+|[@$]", re.UNICODE)


def _skeleton(word: str) -> str:
    word = "".join(_CYRILLIC.get(char, char) for char in word)
    if any(char.isalpha() for char in word):
        word = "".join(_LOOKALIKES.get(char, char) for char in word)
    for spelled, canonical in _LATIN:
        word = word.replace(spelled, canonical)
    return word


def tokens(text: str) -> list[str]:
    """The words of ``text`` as skeletons; runs of single letters (spaced out words) joined into one."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text or "").lower())
    words: list[str] = []
    single_run: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if len(token) == 1:
            single_run.append(token)
            continue
        if single_run:
            words.append("".join(single_run))
            single_run = []
        words.append(token)
    if single_run:
        words.append("".join(single_run))
    return [_skeleton(word) for word in words if word]


def normalize(text: str) -> str:
    """``text`` as one line of skeleton words separated by single spaces."""
    return " ".join(tokens(text))


def contains_phrase(normalized_text: str, phrase: str) -> bool:
    """Whether ``phrase`` (normalised here) starts a word of ``normalized_text`` (word endings vary in ru and uz)."""
    needle = normalize(phrase)
    if not needle:
        return False
    return re.search(rf"(?:^| ){re.escape(needle)}", normalized_text) is not None
