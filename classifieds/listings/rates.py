"""Writes on the exchange rate listings' prices are compared through (sum per dollar), and its refresh."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import httpx
from django.db import connection, transaction

from classifieds.audit.services import outbox_publish

from .models import PRICE_UZS_SQL, Currency, ExchangeRate
from .services import LISTINGS_REPRICED

logger = logging.getLogger(__name__)

# The Central Bank of Uzbekistan's public rates: a JSON list of {"Ccy": "USD", "Rate": "12650.45", "Date": "28.11.2026", ...}.
CBU_RATES_URL = "https://cbu.uz/ru/arkhiv-kursov-valyut/json/"
# A rate outside this band is a broken answer, not a devaluation.
SANE_RATES = {Currency.USD: (Decimal(1000), Decimal(100000))}


@transaction.atomic
def exchange_rate_set(
    *, currency: str, rate: Decimal, source: str = ExchangeRate.Source.MANUAL, rate_date: date | None = None
) -> ExchangeRate:
    """Store the rate of ``currency`` and re-price its listings in sum (one set-based UPDATE)."""
    if rate <= 0:
        raise ValueError("an exchange rate is positive")
    current, created = ExchangeRate.objects.select_for_update().get_or_create(
        currency=currency, defaults={"rate": rate, "source": source, "rate_date": rate_date}
    )
    changed = created or current.rate != rate
    if not created:
        current.rate, current.source, current.rate_date = rate, source, rate_date
        current.save()
    if changed:
        listings_reprice(currency=currency)
    return current


def listings_reprice(*, currency: str) -> int:
    """Recompute ``price_uzs`` of every listing priced in ``currency``; the search index follows after commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE listings_listing l SET price_uzs = {PRICE_UZS_SQL} WHERE l.currency = %s",  # noqa: S608
            [currency],
        )
        count = cursor.rowcount
    # The search backend re-prices its copy after commit (it consumes this topic).
    outbox_publish(
        topic=LISTINGS_REPRICED,
        subject_type="listings.exchangerate",
        subject_ids=[currency],
        payload={"currency": currency},
    )
    return count


def exchange_rate_refresh(*, transport: httpx.BaseTransport | None = None) -> ExchangeRate | None:
    """Fetch today's USD rate from the Central Bank; when unreachable or garbled keep the last one.

    Returns the stored rate, or None when nothing changed.
    """
    try:
        with httpx.Client(transport=transport, timeout=10, follow_redirects=True) as client:
            response = client.get(CBU_RATES_URL)
            response.raise_for_status()
            rows = response.json()
        row = next(r for r in rows if isinstance(r, dict) and r.get("Ccy") == Currency.USD)
        rate = Decimal(str(row["Rate"]).replace(",", "."))
        rate_date = datetime.strptime(row["Date"], "%d.%m.%Y").date() if row.get("Date") else None
    except (httpx.HTTPError, ValueError, KeyError, StopIteration, InvalidOperation, TypeError) as exc:
        logger.warning("exchange rate: keeping the last rate, the Central Bank did not answer usefully: %r", exc)
        return None
    low, high = SANE_RATES[Currency.USD]
    if not low <= rate <= high:
        logger.warning("exchange rate: ignoring an implausible USD rate %s", rate)
        return None
    return exchange_rate_set(currency=Currency.USD, rate=rate, source=ExchangeRate.Source.CBU, rate_date=rate_date)
