from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.core.text import slugify_any
from classifieds.listings.models import Listing
from classifieds.media.models import ListingPhoto
from classifieds.search.backends import get_search_backend
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

SEARCH_FIELDS = ["price_uzs", "facet_values", "attrs_num", "search_vector"]


def _index(listing: Listing) -> None:
    """What the outbox worker does after commit (tests run inside one transaction, so do it now)."""
    get_search_backend().index([listing.pk])
    listing.refresh_from_db(fields=SEARCH_FIELDS)


class ListingFactory(factory.django.DjangoModelFactory):
    """An active listing, visible to buyers and findable, unless told otherwise."""

    class Meta:
        model = Listing
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    location = factory.SubFactory(LocationFactory)
    title = factory.Sequence(lambda n: f"Chevrolet Cobalt {2010 + n % 15}")
    slug = factory.LazyAttribute(lambda o: slugify_any(o.title))
    description = "Состояние отличное, один хозяин."
    price = Decimal("125000000")
    currency = "UZS"
    condition = Listing.Condition.USED
    status = Listing.Status.ACTIVE
    contact_phone = "+998901234567"
    published_at = factory.LazyFunction(timezone.now)
    refreshed_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    @factory.post_generation
    def search_index(obj, create: bool, extracted, **kwargs) -> None:  # noqa: N805
        if create:
            _index(obj)


class ListingPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingPhoto
        skip_postgeneration_save = True

    listing = factory.SubFactory(ListingFactory)
    image = factory.django.ImageField(width=800, height=600, color="teal", format="JPEG")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def search_index(obj, create: bool, extracted, **kwargs) -> None:  # noqa: N805
        if create:
            _index(obj.listing)
