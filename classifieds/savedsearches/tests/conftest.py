"""A small catalog and a way to publish cars into it at a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from classifieds.listings.models import Listing, ListingAttributeValue
from classifieds.listings.tests.factories import ListingFactory
from classifieds.search.backends import get_search_backend
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import AttributeFactory, CategoryFactory, LocationFactory


@dataclass
class Catalog:
    transport: object
    cars: object
    make: object
    tashkent: object
    chilanzar: object
    samarkand: object
    t0: datetime

    def car(
        self,
        make: str,
        *,
        minutes: float,
        location=None,
        price: str = "100000000",
        currency: str = "UZS",
        **kwargs,
    ) -> Listing:
        """A car published ``minutes`` after t0, indexed as the outbox worker would."""
        at = self.t0 + timedelta(minutes=minutes)
        listing = ListingFactory(
            category=self.cars,
            location=location or self.chilanzar,
            title=kwargs.pop("title", f"{make.capitalize()} {minutes:g}"),
            price=Decimal(price),
            currency=currency,
            published_at=at,
            refreshed_at=at,
            **kwargs,
        )
        ListingAttributeValue.objects.create(
            listing=listing, attribute=self.make, option=self.make.options.get(value=make)
        )
        get_search_backend().index([listing.pk])
        return listing


@pytest.fixture
def catalog(db) -> Catalog:
    transport = CategoryFactory(name="Транспорт", slug="transport")
    cars = CategoryFactory(parent=transport, name="Легковые", slug="cars")
    make = AttributeFactory(
        category=cars,
        key="make",
        label="Марка",
        type=Attribute.Type.CHOICE,
        filterable=True,
        options=["chevrolet", "daewoo"],
    )
    for option in make.options.all():
        option.label = option.label_ru = option.label_uz = option.value.capitalize()
        option.save()
    tashkent = LocationFactory(name="Ташкент", slug="tashkent")
    chilanzar = LocationFactory(parent=tashkent, name="Чиланзар", slug="chilanzar")
    samarkand = LocationFactory(name="Самарканд", slug="samarkand")
    return Catalog(transport, cars, make, tashkent, chilanzar, samarkand, timezone.now() - timedelta(days=3))
