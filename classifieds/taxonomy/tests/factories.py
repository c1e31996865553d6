"""Factories for catalog rows, with ``path`` (and the parent's ``is_leaf``) kept right.

    phones = CategoryFactory(name="Телефоны")
    apple = CategoryFactory(parent=phones, name="Apple", slug="apple")
    memory = AttributeFactory(category=phones, key="memory", type=Attribute.Type.CHOICE, options=["64gb", "128gb"])
    chilanzar = LocationFactory(parent=LocationFactory(name="Ташкент"), name="Чиланзар")

``name`` (or ``name_ru``) is the Russian name; ``name_uz`` defaults to its Latin
transliteration. ``slug`` (or ``slug_ru``) is both languages' slug unless
``slug_uz`` is given (places too). Attribute and option ``label`` work the same way.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from classifieds.core.text import slugify_any, transliterate
from classifieds.taxonomy.models import Attribute, AttributeOption, Category, Location


class _TreeNodeFactory(DjangoModelFactory):
    """Sets ``path`` from the parent's once the row has an id; marks the parent as a branch."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type[Category] | type[Location], *args: Any, **kwargs: Any) -> Any:
        node = super()._create(model_class, *args, **kwargs)
        parent = node.parent
        node.path = [*(parent.path if parent is not None else []), node.pk]
        model_class.objects.filter(pk=node.pk).update(path=node.path)
        if parent is not None and getattr(parent, "is_leaf", False):
            parent.is_leaf = False
            model_class.objects.filter(pk=parent.pk).update(is_leaf=False)
        return node


class CategoryFactory(_TreeNodeFactory):
    class Meta:
        model = Category

    parent = None
    name = factory.Sequence(lambda n: f"Категория {n}")
    name_ru = factory.SelfAttribute("name")
    name_uz = factory.LazyAttribute(lambda o: transliterate(o.name_ru))
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify_any(o.name_ru) or 'category'}-{n}")
    slug_ru = factory.SelfAttribute("slug")
    slug_uz = factory.SelfAttribute("slug_ru")
    order = factory.Sequence(lambda n: n)
    is_leaf = True


class LocationFactory(_TreeNodeFactory):
    class Meta:
        model = Location

    parent = None
    kind = factory.LazyAttribute(lambda o: Location.Kind.REGION if o.parent is None else Location.Kind.CITY)
    name = factory.Sequence(lambda n: f"Город {n}")
    name_ru = factory.SelfAttribute("name")
    name_uz = factory.LazyAttribute(lambda o: transliterate(o.name_ru))
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify_any(o.name_ru) or 'location'}-{n}")
    slug_ru = factory.SelfAttribute("slug")
    slug_uz = factory.SelfAttribute("slug_ru")
    order = factory.Sequence(lambda n: n)


class AttributeFactory(DjangoModelFactory):
    """``options=["a", "b"]`` adds options with those values to a choice attribute."""

    class Meta:
        model = Attribute
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    key = factory.Sequence(lambda n: f"attr{n}")
    label = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    label_ru = factory.SelfAttribute("label")
    label_uz = factory.SelfAttribute("label_ru")
    type = Attribute.Type.TEXT
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def options(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for order, value in enumerate(extracted or []):
            AttributeOptionFactory(attribute=self, value=value, order=order)


class AttributeOptionFactory(DjangoModelFactory):
    class Meta:
        model = AttributeOption

    attribute = factory.SubFactory(AttributeFactory, type=Attribute.Type.CHOICE)
    value = factory.Sequence(lambda n: f"option-{n}")
    label = factory.LazyAttribute(lambda o: o.value.replace("-", " ").capitalize())
    label_ru = factory.SelfAttribute("label")
    label_uz = factory.SelfAttribute("label_ru")
    order = factory.Sequence(lambda n: n)
