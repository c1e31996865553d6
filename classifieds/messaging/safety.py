"""What in a message suggests a deal outside Bozor: a phone number, a card number, a payment link.

The recipient of such a message sees a warning ("never pay in advance"): the usual fraud on
classifieds is a "buyer" who sends a link to a fake payment or delivery page, or a "seller" who
asks for a card transfer before showing the item.
"""

from __future__ import annotations

import re

import phonenumbers

# 16 (Uzcard, Humo, Visa, Mastercard) to 19 digits, in groups or not.
_CARD = re.compile(r"(?<!\d)(?:\d[ \-]?){15,18}\d(?!\d)")
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:uz|ru|com|net|org|me|link|site|online|top|xyz)\b\S*", re.I
)
# Uzcard and Humo: a typo in the check digit must not hide a local card.
_LOCAL_CARD_PREFIXES = ("8600", "9860", "5614")
# Words that make a link a payment or "delivery" page rather than, say, a link to a review.
_PAYMENT_WORDS = re.compile(
    r"pay|click|paynet|uzum|apelsin|oplat|karta|card|bank|deliver|dostav|transfer|perevod|t\.me", re.I
)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def has_phone(text: str) -> bool:
    """A valid phone number (Uzbek, or international with its +code) anywhere in ``text``."""
    return any(True for _ in phonenumbers.PhoneNumberMatcher(text, "UZ", leniency=phonenumbers.Leniency.VALID))


def has_card(text: str) -> bool:
    """A payment card number: 16 to 19 digits passing the Luhn check."""
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if _luhn(digits) or (len(digits) == 16 and digits.startswith(_LOCAL_CARD_PREFIXES)):
            return True
    return False


def has_payment_link(text: str) -> bool:
    """A link whose address speaks of paying, cards, banks or delivery."""
    return any(_PAYMENT_WORDS.search(match.group()) for match in _LINK.finditer(text))


def is_risky(text: str) -> bool:
    """The recipient should be warned never to pay in advance."""
    return bool(text) and (has_card(text) or has_payment_link(text) or has_phone(text))
