"""Listing rows as COPY text: attribute values, titles, prices, descriptions, dates, owners, photos.

Everything is drawn from the ``random.Random`` handed in, so a block of rows
depends only on its seed. Rows are tab-separated COPY text lines.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from classifieds.core.text import slugify_any

from . import vocab
from .blueprint import NULL, Blueprint, LeafInfo
from .content import (
    Ctx,
    build_description,
    build_title,
    draw_value,
    esc,
    nice,
    reference_price,
    span,
    weighted,
)
from .kinds import Kind

BLOCK = 1000  # listings per RNG block; fixed, so the COPY batch size never changes the data
LANG_UZ_SHARE = 0.30
USD_RATE = 12_700  # UZS per USD, for prices listed in the other currency
OPERATOR_CODES = ("90", "91", "93", "94", "97", "99", "33", "88")
BUSINESS_USER_SHARE = 0.12
BUSINESS_LISTING_SHARE = 0.30


# --- small helpers ------------------------------------------------------------------------


def demo_phone(n: int) -> str:
    """The n-th demo phone number: a bijection of 0..80M onto valid Uzbek mobile numbers."""
    n = (n * 48271 + 1_234_567) % (len(OPERATOR_CODES) * 10_000_000)
    return f"+998{OPERATOR_CODES[n // 10_000_000]}{n % 10_000_000:07d}"


# --- one listing's state --------------------------------------------------------------------


# --- sellers ---------------------------------------------------------------------------------------


@dataclass
class SellerPool:
    """Who posts: private sellers with lognormal activity, businesses by family and busier."""

    ids: list[int]
    phones: list[str | None]
    private_cum: list[float]
    private: list[int]
    business: dict[str, tuple[list[int], list[float]]]

    def pick(self, rng: random.Random, family: str, private_only: bool = False) -> int:
        """Index (into ``ids``) of the owner of a new listing of ``family``."""
        business = None if private_only else self.business.get(family)
        if business and (not self.private or rng.random() < BUSINESS_LISTING_SHARE):
            members, cum = business
            return members[weighted(rng, cum)]
        if not self.private:
            return 0
        return self.private[weighted(rng, self.private_cum)]


def user_rows(
    rng: random.Random, count: int, first_index: int, now: datetime, families: Sequence[str], cities: Sequence[str]
) -> tuple[list[list[str]], list[str], list[tuple[bool, str]]]:
    """Column values for ``count`` demo sellers (phone still to fill), their phones and (is_business, family)."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    rows, phones, kinds = [], [], []
    for i in range(count):
        index = first_index + i
        is_business = rng.random() < BUSINESS_USER_SHARE
        family = families[rng.randrange(len(families))] if families else "other"
        female = rng.random() < 0.4
        names = vocab.FEMALE_NAMES if female else vocab.MALE_NAMES
        first = names[rng.randrange(len(names))]
        last = vocab.LAST_NAMES[rng.randrange(len(vocab.LAST_NAMES))]
        last_ru = last[0] + ("а" if female and last[0].endswith(("ов", "ев")) else "")
        last_uz = last[1] + ("a" if female and last[1].endswith(("ov", "ev")) else "")
        if is_business:
            options = vocab.BUSINESS_NAMES.get(family, vocab.BUSINESS_NAMES["other"])
            city = cities[rng.randrange(len(cities))] if cities else ""
            display = options[rng.randrange(len(options))].format(loc=city).strip()
        elif rng.random() < 0.7:
            display = first[0] if rng.random() < 0.6 else f"{first[0]} {last_ru[0]}."
        else:
            display = first[1] if rng.random() < 0.6 else f"{first[1]} {last_uz[0]}."
        joined = now - timedelta(days=rng.uniform(61, 900), seconds=rng.randrange(86400))
        password = UNUSABLE_PASSWORD_PREFIX + "".join(rng.choices(alphabet, k=40))
        rows.append(
            [
                password,
                NULL,
                "f",
                f"demo{index:07d}",
                esc(first[0]),
                esc(last_ru),
                "",
                "f",
                "t",
                joined.isoformat(),
                "",
                "t",
                esc(display),
                "",
                "",
                "t" if is_business else "f",
                NULL,
            ]  # fmt: skip
        )
        phones.append(demo_phone(index))
        kinds.append((is_business, family))
    return rows, phones, kinds


def seller_pool(
    rng: random.Random, ids: list[int], phones: list[str | None], kinds: list[tuple[bool, str]]
) -> SellerPool:
    """How often each seller posts: lognormal activity, businesses several times busier."""
    private, private_w = [], []
    business: dict[str, tuple[list[int], list[float]]] = {}
    for i, (is_business, family) in enumerate(kinds):
        if is_business:
            members, weights = business.setdefault(family, ([], []))
            members.append(i)
            weights.append(rng.lognormvariate(0, 1.0))
        else:
            private.append(i)
            private_w.append(rng.lognormvariate(0, 0.7))
    cum = {family: (members, _cum(weights)) for family, (members, weights) in business.items()}
    return SellerPool(ids=ids, phones=phones, private_cum=_cum(private_w), private=private, business=cum)


def _cum(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


# --- rows ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoAsset:
    path: str
    width: int
    height: int
    checksum: str


@dataclass
class Rows:
    listings: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)


@dataclass
class ListingFactory:
    """Generates listings block by block, deterministically from the seed."""

    seed: int
    now: datetime
    blueprint: Blueprint
    sellers: SellerPool
    photos: dict[int, list[PhotoAsset]]
    listing_suffix: str = ""  # defaults of columns other apps added
    value_suffix: str = ""
    photo_suffix: str = ""
    _slugs: dict[str, str] = field(default_factory=dict)

    def block(self, block_no: int, first_id: int, count: int, offset: int, out: Rows) -> None:
        """Append rows for ``count`` listings of block ``block_no`` to ``out``; ids start at ``first_id``.

        ``offset`` is the run position of the block's first listing: the first listings
        of a run visit every leaf once, so every leaf has listings.
        """
        rng = random.Random(f"{self.seed}:{block_no}")
        leaves, cum = self.blueprint.leaves, self.blueprint.leaf_cum
        for j in range(count):
            position = offset + j
            leaf = leaves[position] if position < len(leaves) else leaves[weighted(rng, cum)]
            self._listing(rng, leaf, first_id + j, out)

    def _listing(self, rng: random.Random, leaf: LeafInfo, listing_id: int, out: Rows) -> None:
        kind: Kind = leaf.kind
        lang = 1 if rng.random() < LANG_UZ_SHARE else 0
        loc = self.blueprint.locations[weighted(rng, self.blueprint.location_cum)]
        ctx = Ctx(rng, lang, loc, leaf, self.now.year)
        for spec in leaf.gen_order:
            if spec.key not in ctx.values:
                draw_value(spec, ctx)
        title = build_title(ctx)[:100].strip() or leaf.name[lang]

        # Price (jobs: the salary, kept consistent with the salary attributes)
        price_type, price, currency, negotiable = "amount", NULL, kind.currency, "f"
        roll = rng.random()
        if roll < kind.free_share:
            price_type = "free"
        elif roll < kind.free_share + kind.exchange_share:
            price_type = "exchange"
        else:
            amount = reference_price(ctx) or span(rng, *(ctx.price_range or kind.price))
            if kind.name == "jobs":
                amount = nice(amount)
                if "salary_min" in ctx.values:
                    ctx.set_number("salary_min", amount)
                if "salary_max" in ctx.values:
                    ctx.set_number("salary_max", nice(amount * rng.uniform(1.2, 1.7)))
            elif rng.random() < kind.other_currency_share:
                currency, amount = ("USD", amount / USD_RATE) if currency == "UZS" else ("UZS", amount * USD_RATE)
            price = f"{nice(amount)}.00"
            negotiable = "t" if rng.random() < kind.negotiable_share else "f"
        # What the price is per: the category's default (rent per month, per day; a salary per month),
        # per month where the seller offers something for rent in a category that also sells.
        period = leaf.price_periods[0]
        if ctx.raw("deal") == "rent" and "month" in leaf.price_periods:
            period = "month"
        elif kind.name == "house_rent" and "day" in leaf.price_periods and rng.random() < 0.15:
            period = "day"
        condition = ""
        if leaf.condition_key and leaf.condition_key in ctx.values:
            condition = "new" if ctx.raw(leaf.condition_key) == "new" else "used"
        elif kind.condition:
            condition = "new" if rng.random() < kind.new_share else "used"

        description = build_description(ctx, title, condition)
        slug = self._slugs.get(title)
        if slug is None:
            slug = slugify_any(title)[:100].strip("-") or "item"
            if len(self._slugs) < 300_000:
                self._slugs[title] = slug

        # Dates and status: active ones were refreshed within their lifetime, so they have not expired.
        now = self.now
        lifetime = min(leaf.lifetime_days, 60)
        roll = rng.random()
        if roll < 0.035:
            status, age = "expired", (rng.uniform(lifetime, 60) if lifetime < 60 else 60.0)
        elif roll < 0.065:
            status, age = "sold", rng.random() ** 1.2 * 60
        elif roll < 0.075 and leaf.moderated:
            status, age = "pending", rng.random() * 2
        else:
            status, age = "active", rng.random() ** 1.3 * lifetime * 0.995
        refreshed = now - timedelta(days=age)
        created = refreshed if rng.random() < 0.6 else refreshed - timedelta(days=rng.random() * (60 - age))
        expires = refreshed + timedelta(days=leaf.lifetime_days)
        published = NULL if status == "pending" else (created + timedelta(minutes=rng.randrange(1, 30))).isoformat()
        refreshed_s = refreshed.isoformat()
        days_live = max(0.1, (now - created).total_seconds() / 86400)
        views = 0 if status == "pending" else int(days_live * rng.expovariate(1 / 12))
        reveals = int(views * rng.random() * 0.08)
        favorites = int(views * rng.random() * 0.04)

        owner = self.sellers.pick(rng, kind.family, private_only=ctx.raw("ad_type") == "resume")
        phone = self.sellers.phones[owner] if rng.random() < 0.9 else None
        phone = phone or demo_phone(rng.randrange(80_000_000))
        if loc.lat is not None:
            lat = f"{loc.lat + rng.gauss(0, loc.jitter):.6f}"
            lon = f"{loc.lon + rng.gauss(0, loc.jitter):.6f}"
        else:
            lat = lon = NULL

        # Photos: 0-4 from the shared pool of the listing's top category
        roll, n_photos, acc = rng.random(), 0, kind.photos[0]
        while roll > acc and n_photos < len(kind.photos) - 1:
            n_photos += 1
            acc += kind.photos[n_photos]
        pool = self.photos.get(leaf.top_id) or ()
        n_photos = min(n_photos, len(pool))
        if n_photos:
            start = rng.randrange(len(pool))
            for order in range(n_photos):
                asset = pool[(start + order) % len(pool)]
                out.photos.append(
                    f"{listing_id}\t{asset.path}\t{asset.width}\t{asset.height}\t{order}\t{asset.checksum}\t"
                    f"{refreshed_s}{self.photo_suffix}\n"
                )
        quality = 0.5 + 0.2 * min(n_photos, 3) / 3 + 0.15 * min(1.0, len(description) / 500) + rng.random() * 0.15

        out.listings.append(
            f"{listing_id}\t{self.sellers.ids[owner]}\t{leaf.id}\t{loc.id}\t{esc(title)}\t{slug}\t"
            f"{esc(description)}\t{'uz' if lang else 'ru'}\t{price_type}\t{price}\t{currency}\t{negotiable}\t"
            f"{condition}\t{status}\t\t{phone}\t{lat}\t{lon}\t{min(1.0, quality):.3f}\t{created.isoformat()}\t"
            f"{refreshed_s}\t{published}\t{refreshed_s}\t{expires.isoformat()}\t{views}\t{reveals}\t{favorites}"
            f"\t{period}{self.listing_suffix}\n"
        )
        suffix = self.value_suffix
        for val in ctx.values.values():
            for row in val.rows:
                out.values.append(f"{listing_id}\t{row}{suffix}\n")


LISTING_COLUMNS = (
    "id", "owner_id", "category_id", "location_id", "title", "slug", "description", "language", "price_type",
    "price", "currency", "negotiable", "condition", "status", "rejection_reason", "contact_phone", "lat", "lon",
    "quality_score", "created_at", "updated_at", "published_at", "refreshed_at", "expires_at", "views_count",
    "phone_reveals_count", "favorites_count", "price_period",
)  # fmt: skip
VALUE_COLUMNS = ("listing_id", "attribute_id", "option_id", "value_text", "value_number", "value_bool")
PHOTO_COLUMNS = ("listing_id", "image", "width", "height", "order", "checksum", "created_at")
USER_COLUMNS = (
    "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
    "is_active", "date_joined", "phone", "phone_verified", "display_name", "about", "avatar", "is_business",
    "deleted_at",
)  # fmt: skip
