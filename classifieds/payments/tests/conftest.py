from __future__ import annotations

import importlib

import pytest

DEFAULT_PRICES = importlib.import_module("classifieds.promotions.migrations.0002_default_prices").DEFAULTS


@pytest.fixture(autouse=True)
def default_promotion_prices(request):
    """The default price table (a transactional test's flush empties what the migration stored)."""
    if "django_db" not in {mark.name for mark in request.node.iter_markers()}:
        return
    from classifieds.promotions.models import PromotionPrice

    request.getfixturevalue("_django_db_helper")  # the database is set up first
    for type_, days, price in DEFAULT_PRICES:
        PromotionPrice.objects.get_or_create(category=None, type=type_, days=days, defaults={"price": price})


@pytest.fixture(autouse=True)
def payment_providers_on(settings):
    """Every provider on, with test credentials (as a merchant's cabinet would issue them).

    The sandbox runs only with DEBUG on (as under ``make run``); tests of production turn DEBUG off.
    """
    settings.DEBUG = True
    settings.PAYMENT_PROVIDERS = ["payme", "click", "sandbox"]
    settings.PAYME_MERCHANT_ID = "5e730e8e0b852a417aa49ceb"
    settings.PAYME_KEY = "test-payme-key"
    settings.CLICK_SERVICE_ID = "1234"
    settings.CLICK_MERCHANT_ID = "5678"
    settings.CLICK_SECRET_KEY = "test-click-secret"
    settings.SANDBOX_PAYMENTS_SECRET = "test-sandbox-secret"
