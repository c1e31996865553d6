"""Intake rules: plain functions registered in one place (``RULES``), each returning hits with a score.

A rule reads a ``Context`` (the listing with its new content, the thresholds) and returns
``Hit``s; ``services.listing_screen`` adds their scores up and routes the listing. Rules
never write: the screening row is the service's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifieds.listings.lifecycle import Status
from classifieds.listings.models import ExchangeRate, Listing, RejectionReason
from classifieds.media.models import ListingPhoto

from . import text as normal
from .models import BannedWord, CategoryPriceStat, ModerationSettings, RiskyPhone, Screening


@dataclass(frozen=True)
class Hit:
    rule: str
    score: int
    detail: str
    reason: str = RejectionReason.OTHER

    def as_json(self) -> dict:
        return {"rule": self.rule, "score": self.score, "detail": self.detail, "reason": self.reason}


@dataclass
class Context:
    listing: Listing
    settings: ModerationSettings
    now: object = field(default_factory=timezone.now)

    @cached_property
    def text(self) -> str:
        return f"{self.listing.title}\n{self.listing.description}"

    @cached_property
    def normalized(self) -> str:
        return normal.normalize(self.text)

    @cached_property
    def text_digest(self) -> str:
        body = normal.normalize(self.listing.description)
        return hashlib.md5(body.encode(), usedforsecurity=False).hexdigest() if len(body) >= 20 else ""


Rule = Callable[[Context], list[Hit]]
RULES: dict[str, Rule] = {}
RULE_LABELS: dict[str, object] = {}


def rule(code: str, label) -> Callable[[Rule], Rule]:
    """Register a rule under ``code`` (stored in screenings, filtered on in the queue)."""

    def register(function: Rule) -> Rule:
        RULES[code] = function
        RULE_LABELS[code] = label
        return function

    return register


def run_rules(context: Context) -> list[Hit]:
    return [hit for function in RULES.values() for hit in function(context)]


# --- Banned words ---------------------------------------------------------------------------------


@rule("banned_word", _("banned word"))
def banned_words(context: Context) -> list[Hit]:
    return [
        Hit("banned_word", word.score, word.phrase, word.reason)
        for word in BannedWord.objects.all()
        if normal.contains_phrase(context.normalized, word.phrase)
    ]


# --- Contacts in the text ---------------------------------------------------------------------------

# Uzbek mobile and Tashkent numbers, with or without +998, in any grouping; not a price ("…000 сум").
PHONE_RE = re.compile(
    r"(?<![\d.,])(?:\+?\s*998[\s\-()]*)?\(?(?:9[0-9]|33|50|55|77|88|20|71)\)?[\s\-]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?![\d]|[.,]\d)"
    r"(?!\s*(?:сум|сўм|so['‘ʻ]?m|sum|\$|у\.?\s?е|usd|долл))",
    re.IGNORECASE,
)
CARD_RE = re.compile(r"(?<!\d)(?:\d[ \-]?){15,18}\d(?!\d)")
HANDLE_RE = re.compile(
    r"(?<![\w.])@[a-z][a-z0-9_]{3,31}\b|\b(?:t\.me|wa\.me|telegram\.me)/\S+"
    r"|\b(?:telegram|телеграм\w*|телега|tg|whats\s?app|ватсап|вотсап|viber|вайбер|imo)\b",
    re.IGNORECASE,
)
LINK_RE = re.compile(
    r"\bhttps?://\S+|\bwww\.\S+|\b[a-z0-9\-]{2,}\.(?:uz|ru|com|net|org|me|io|info|shop|store)\b(?:/\S*)?",
    re.IGNORECASE,
)


def phone_e164(raw: str) -> str:
    """An Uzbek number as found in text, in E.164 (``+998901234567``), or "" if it is not one."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 9:
        digits = f"998{digits}"
    return f"+{digits}" if len(digits) == 12 and digits.startswith("998") else ""


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@rule("contacts", _("contacts in the text"))
def contacts_in_text(context: Context) -> list[Hit]:
    hits: list[Hit] = []
    reason = RejectionReason.CONTACTS_IN_TEXT
    for match in CARD_RE.finditer(context.text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) == 16 and _luhn(digits):
            hits.append(Hit("contacts", 100, f"card …{digits[-4:]}", reason))
    if match := PHONE_RE.search(context.text):
        hits.append(Hit("contacts", 50, f"phone {match.group().strip()}", reason))
    if match := HANDLE_RE.search(context.text):
        hits.append(Hit("contacts", 40, f"messenger {match.group()}", reason))
    if match := LINK_RE.search(context.text):
        hits.append(Hit("contacts", 50, f"link {match.group()}", reason))
    return hits


# --- Photos, phones, accounts, repeated text ------------------------------------------------------------


@rule("duplicate_photo", _("photo of another seller"))
def duplicate_photo(context: Context) -> list[Hit]:
    listing = context.listing
    checksums = [c for c in ListingPhoto.objects.filter(listing=listing).values_list("checksum", flat=True) if c]
    if not checksums:
        return []
    elsewhere = (
        ListingPhoto.objects.filter(checksum__in=checksums)
        .exclude(listing__owner_id=listing.owner_id)
        .exclude(listing__status__in=[Status.DRAFT, Status.DELETED])
        .values_list("listing_id", flat=True)[:3]
    )
    return [Hit("duplicate_photo", 50, f"listing {other}", RejectionReason.PHOTOS) for other in elsewhere]


@rule("risky_phone", _("risky phone"))
def risky_phone(context: Context) -> list[Hit]:
    listing = context.listing
    numbers = {listing.contact_phone, getattr(listing.owner, "phone", "") or ""}
    for match in PHONE_RE.finditer(context.text):
        numbers.add(phone_e164(match.group()))
    numbers.discard("")
    return [
        Hit("risky_phone", row.score, row.phone, RejectionReason.SCAM)
        for row in RiskyPhone.objects.filter(phone__in=numbers)
    ]


@rule("new_account_burst", _("new account posting in a burst"))
def new_account_burst(context: Context) -> list[Hit]:
    owner = context.listing.owner
    if owner.date_joined < context.now - timedelta(days=context.settings.new_account_days):
        return []
    recent = (
        Listing.objects.filter(owner=owner, published_at__gte=context.now - timedelta(hours=1))
        .exclude(pk=context.listing.pk)
        .exclude(status__in=[Status.DRAFT, Status.DELETED])
        .count()
    )
    if recent + 1 < context.settings.burst_listings:
        return []
    return [Hit("new_account_burst", 40, f"{recent + 1} listings in an hour", RejectionReason.SCAM)]


@rule("same_text", _("same text posted many times"))
def same_text(context: Context) -> list[Hit]:
    if not context.text_digest:
        return []
    others = (
        Screening.objects.filter(text_digest=context.text_digest, created_at__gte=context.now - timedelta(days=30))
        .exclude(listing_id=context.listing.pk)
        .exclude(listing__status__in=[Status.DRAFT, Status.DELETED, Status.EXPIRED, Status.SOLD])
        .values("listing_id")
        .distinct()
        .count()
    )
    if others + 1 < context.settings.duplicate_text_count:
        return []
    return [Hit("same_text", 40, f"{others + 1} listings", RejectionReason.DUPLICATE)]


# --- Price ------------------------------------------------------------------------------------------


def price_in_sum(listing: Listing) -> Decimal | None:
    if listing.price_type != Listing.PriceType.AMOUNT or listing.price is None:
        return None
    return listing.price * ExchangeRate.objects.rate_for(listing.currency)


# Fewer active listings than this in a category say nothing about its prices.
PRICE_MIN_SAMPLE = 20


@rule("price_outlier", _("price outlier"))
def price_outlier(context: Context) -> list[Hit]:
    price = price_in_sum(context.listing)
    if price is None:
        return []
    stat = CategoryPriceStat.objects.filter(category_id=context.listing.category_id).first()
    if stat is None or stat.sample_size < PRICE_MIN_SAMPLE or stat.mad <= 0:
        return []
    distance = abs(price - stat.median) / stat.mad
    if distance <= context.settings.price_outlier_mads:
        return []
    where = "below" if price < stat.median else "above"
    return [
        Hit("price_outlier", 30, f"{distance:.0f} MAD {where} median {stat.median}", RejectionReason.MISLEADING_PRICE)
    ]
