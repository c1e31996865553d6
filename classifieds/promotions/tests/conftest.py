"""Promotion tests need the same price table and providers as the payment tests."""

from classifieds.payments.tests.conftest import default_promotion_prices, payment_providers_on  # noqa: F401  (autouse fixtures)
