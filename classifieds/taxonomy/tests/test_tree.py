"""Tree paths: the rebuild services and the factories other apps build their trees with."""

from __future__ import annotations

import pytest

from classifieds.taxonomy.models import Attribute, Category, Location
from classifieds.taxonomy.services import TreeCycleError, category_rebuild_paths, location_rebuild_paths

from .factories import AttributeFactory, AttributeOptionFactory, CategoryFactory, LocationFactory


@pytest.mark.django_db
class TestFactories:
    def test_a_child_category_extends_its_parents_path_and_turns_the_parent_into_a_branch(self) -> None:
        root = CategoryFactory(name="Электроника")
        phones = CategoryFactory(parent=root, name="Телефоны")
        apple = CategoryFactory(parent=phones, name="Apple", slug="apple")

        assert apple.path == [root.pk, phones.pk, apple.pk]
        assert Category.objects.get(pk=apple.pk).path == apple.path
        assert not Category.objects.get(pk=phones.pk).is_leaf and not phones.is_leaf
        assert Category.objects.get(pk=apple.pk).is_leaf
        assert (apple.slug_ru, apple.slug_uz, phones.name_uz) == ("apple", "apple", "Telefoni")

    def test_a_location_factory_nests_cities_in_regions(self) -> None:
        region = LocationFactory(name="Самаркандская область")
        city = LocationFactory(parent=region, name="Самарканд")

        assert (region.kind, city.kind) == (Location.Kind.REGION, Location.Kind.CITY)
        assert Location.objects.get(pk=city.pk).path == [region.pk, city.pk]

    def test_an_attribute_factory_adds_the_options_it_is_given(self) -> None:
        memory = AttributeFactory(key="memory", type=Attribute.Type.CHOICE, options=["64gb", "128gb"])
        AttributeOptionFactory(attribute=memory, value="256gb")

        assert list(memory.options.values_list("value", flat=True)) == ["64gb", "128gb", "256gb"]
        assert memory.category.schema() == [memory]

    def test_the_factories_leave_nothing_for_the_rebuild_to_fix(self) -> None:
        root = CategoryFactory()
        CategoryFactory(parent=CategoryFactory(parent=root))
        LocationFactory(parent=LocationFactory())

        assert category_rebuild_paths() == 0
        assert location_rebuild_paths() == 0


@pytest.mark.django_db
class TestRebuildPaths:
    def test_moving_a_category_rewrites_the_paths_of_its_whole_subtree(self) -> None:
        transport, electronics = CategoryFactory(), CategoryFactory()
        phones = CategoryFactory(parent=electronics)
        apple = CategoryFactory(parent=phones)
        Category.objects.filter(pk=phones.pk).update(parent=transport)

        changed = category_rebuild_paths()

        assert changed == 4  # phones and apple moved; transport became a branch, electronics a leaf
        assert Category.objects.get(pk=apple.pk).path == [transport.pk, phones.pk, apple.pk]
        assert not Category.objects.get(pk=transport.pk).is_leaf
        assert Category.objects.get(pk=electronics.pk).is_leaf

    def test_a_location_follows_its_new_parent(self) -> None:
        old, new = LocationFactory(), LocationFactory()
        city = LocationFactory(parent=old)
        Location.objects.filter(pk=city.pk).update(parent=new)

        assert location_rebuild_paths() == 1
        assert Location.objects.get(pk=city.pk).path == [new.pk, city.pk]

    def test_a_node_that_became_its_own_ancestor_is_refused(self) -> None:
        root = CategoryFactory()
        child = CategoryFactory(parent=root)
        Category.objects.filter(pk=root.pk).update(parent=child)

        with pytest.raises(TreeCycleError):
            category_rebuild_paths()
