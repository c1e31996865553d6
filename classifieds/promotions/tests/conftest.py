"""Promotion tests need the same price table and providers as the payment tests."""

from classifieds.payments.tests.conftest import _prices, _providers  # noqa: F401  (fixtures, re-exported)
