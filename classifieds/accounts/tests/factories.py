from __future__ import annotations

import factory

from classifieds.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    phone = factory.Sequence(lambda n: f"+99890{n:07d}")
    phone_verified = True
    display_name = factory.Sequence(lambda n: f"Seller {n}")
