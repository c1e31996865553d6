"""The USD rate is data: refreshed from the Central Bank when reachable, kept otherwise, editable in Admin."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from classifieds.listings.models import ExchangeRate, Listing
from classifieds.listings.rates import CBU_RATES_URL, exchange_rate_refresh, exchange_rate_set
from classifieds.listings.tasks import refresh_exchange_rate_task

from .factories import ListingFactory

pytestmark = pytest.mark.django_db

CBU_ANSWER = [
    {"id": 69, "Code": "840", "Ccy": "USD", "CcyNm_RU": "Доллар США", "Nominal": "1", "Rate": "12845.37",
     "Diff": "-12.5", "Date": "28.11.2026"},
    {"id": 21, "Code": "978", "Ccy": "EUR", "CcyNm_RU": "Евро", "Nominal": "1", "Rate": "13920.10",
     "Diff": "3.1", "Date": "28.11.2026"},
]  # fmt: skip


def cbu(answer=None, *, status: int = 200, fail: bool = False) -> httpx.MockTransport:
    """The Central Bank at the HTTP boundary."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == CBU_RATES_URL
        if fail:
            raise httpx.ConnectError("no route to host", request=request)
        body = answer if isinstance(answer, str) else json.dumps(answer if answer is not None else CBU_ANSWER)
        return httpx.Response(status, text=body)

    return httpx.MockTransport(handler)


def usd_rate() -> Decimal:
    return ExchangeRate.objects.get(currency="USD").rate


def price_uzs(listing: Listing) -> int:
    listing.refresh_from_db(fields=["price_uzs"])
    return listing.price_uzs


class TestRefresh:
    def test_a_migration_stores_a_starting_rate(self):
        assert usd_rate() == Decimal("12650")

    def test_the_central_banks_rate_is_stored_and_dollar_prices_follow(self, django_capture_on_commit_callbacks):
        dollars = ListingFactory(price=Decimal("10000"), currency="USD")
        sums = ListingFactory(price=Decimal("95000000"), currency="UZS")
        assert price_uzs(dollars) == 126_500_000
        with django_capture_on_commit_callbacks(execute=True):
            stored = exchange_rate_refresh(transport=cbu())
        assert stored.rate == Decimal("12845.37")
        assert stored.source == ExchangeRate.Source.CBU and stored.rate_date == date(2026, 11, 28)
        assert price_uzs(dollars) == 128_453_700
        assert price_uzs(sums) == 95_000_000

    @pytest.mark.parametrize(
        "transport",
        [
            cbu(fail=True),
            cbu(status=503),
            cbu("<html>maintenance</html>"),
            cbu([{"Ccy": "EUR", "Rate": "1"}]),
            cbu([{"Ccy": "USD", "Rate": "abc", "Date": "28.11.2026"}]),
            cbu([{"Ccy": "USD", "Rate": "1.5", "Date": "28.11.2026"}]),
            cbu({"unexpected": "shape"}),
        ],
        ids=["unreachable", "503", "not-json", "no-usd", "not-a-number", "implausible", "wrong-shape"],
    )
    def test_the_last_rate_is_kept_when_the_bank_does_not_answer_usefully(self, transport):
        assert exchange_rate_refresh(transport=transport) is None
        assert usd_rate() == Decimal("12650")

    def test_the_periodic_task_survives_having_no_internet(self, monkeypatch):
        real_client = httpx.Client
        monkeypatch.setattr(
            "classifieds.listings.rates.httpx.Client",
            lambda **kwargs: real_client(**{**kwargs, "transport": cbu(fail=True)}),
        )
        refresh_exchange_rate_task.call_local()
        assert usd_rate() == Decimal("12650")


class TestManualRate:
    def test_setting_a_rate_reprices_dollar_listings_in_one_update(self):
        dollars = ListingFactory(price=Decimal("100"), currency="USD")
        exchange_rate_set(currency="USD", rate=Decimal("13000"))
        assert price_uzs(dollars) == 1_300_000

    def test_a_rate_must_be_positive(self):
        with pytest.raises(ValueError):
            exchange_rate_set(currency="USD", rate=Decimal("0"))

    def test_admin_edits_go_through_the_service(self, admin_client):
        dollars = ListingFactory(price=Decimal("100"), currency="USD")
        rate = ExchangeRate.objects.get(currency="USD")
        response = admin_client.post(
            f"/admin/listings/exchangerate/{rate.pk}/change/",
            {"currency": "USD", "rate": "12000", "rate_date": ""},
        )
        assert response.status_code == 302
        assert usd_rate() == Decimal("12000")
        assert price_uzs(dollars) == 1_200_000
