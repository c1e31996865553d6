"""The catalog admin: tree-ordered lists, search and filters, and edits that keep paths right."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from classifieds.taxonomy.models import Attribute, Category, Location

from .factories import AttributeFactory, CategoryFactory, LocationFactory

INDENT = "&emsp;"


@pytest.fixture
def tree() -> dict[str, Category]:
    electronics = CategoryFactory(name="Электроника", name_uz="Elektronika", slug="elektronika")
    phones = CategoryFactory(parent=electronics, name="Телефоны", name_uz="Telefonlar", slug="telefony")
    apple = CategoryFactory(parent=phones, name="Apple", slug="telefony-apple")
    transport = CategoryFactory(name="Транспорт", name_uz="Transport", slug="transport")
    return {"electronics": electronics, "phones": phones, "apple": apple, "transport": transport}


def category_form(category: Category, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "parent": category.parent_id or "",
        "order": category.order,
        "name_ru": category.name_ru,
        "name_uz": category.name_uz,
        "slug_ru": category.slug_ru,
        "slug_uz": category.slug_uz,
        "icon": category.icon,
        "listing_lifetime_days": category.listing_lifetime_days,
        "free_listings_per_30_days": category.free_listings_per_30_days or "",
        "attributes-TOTAL_FORMS": 0,
        "attributes-INITIAL_FORMS": 0,
        "attributes-MIN_NUM_FORMS": 0,
        "attributes-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestCategoryAdmin:
    def test_the_list_shows_the_tree_in_path_order_indented_by_depth(
        self, admin_client: Client, tree: dict[str, Category]
    ) -> None:
        response = admin_client.get(reverse("admin:taxonomy_category_changelist"))
        html = response.content.decode()

        assert response.status_code == 200
        assert html.index("Электроника") < html.index(f"{INDENT}└ Телефоны") < html.index(f"{INDENT * 2}└ Apple")
        assert html.index(f"{INDENT * 2}└ Apple") < html.index("Транспорт")

    def test_it_searches_uzbek_names_and_filters_by_parent(
        self, admin_client: Client, tree: dict[str, Category]
    ) -> None:
        url = reverse("admin:taxonomy_category_changelist")

        found = admin_client.get(url, {"q": "Telefonlar"}).context["cl"].result_list
        children = admin_client.get(url, {"parent": tree["electronics"].pk}).context["cl"].result_list
        roots = admin_client.get(url, {"parent": "none"}).context["cl"].result_list

        assert [c.pk for c in found] == [tree["phones"].pk]
        assert [c.pk for c in children] == [tree["phones"].pk]
        assert {c.pk for c in roots} == {tree["electronics"].pk, tree["transport"].pk}
        assert next(c for c in roots if c.pk == tree["electronics"].pk).children_count == 1

    def test_the_change_page_lists_the_attributes_inline(self, admin_client: Client, tree: dict[str, Category]) -> None:
        AttributeFactory(category=tree["phones"], key="memory", label="Память")

        response = admin_client.get(reverse("admin:taxonomy_category_change", args=[tree["phones"].pk]))

        assert response.status_code == 200
        assert "memory" in response.content.decode()
        assert "Электроника › Телефоны" in response.content.decode()

    def test_moving_a_category_rebuilds_the_paths_below_it(
        self, admin_client: Client, tree: dict[str, Category]
    ) -> None:
        phones = tree["phones"]

        response = admin_client.post(
            reverse("admin:taxonomy_category_change", args=[phones.pk]),
            category_form(phones, parent=tree["transport"].pk),
        )

        assert response.status_code == 302
        assert Category.objects.get(pk=tree["apple"].pk).path == [tree["transport"].pk, phones.pk, tree["apple"].pk]
        assert Category.objects.get(pk=tree["electronics"].pk).is_leaf
        assert not Category.objects.get(pk=tree["transport"].pk).is_leaf

    def test_a_new_category_gets_its_path_and_its_base_name_in_russian(
        self, admin_client: Client, tree: dict[str, Category]
    ) -> None:
        new = Category(parent=tree["transport"], order=5, name_ru="Мотоциклы", name_uz="Mototsikllar")
        new.slug_ru, new.slug_uz = "mototsikly", "mototsikllar"

        # The admin in Uzbek; override() also undoes the language LocaleMiddleware leaves active.
        with translation.override("uz"):
            response = admin_client.post(reverse("admin:taxonomy_category_add"), category_form(new))

        assert response.status_code == 302
        created = Category.objects.get(slug_ru="mototsikly")
        assert created.path == [tree["transport"].pk, created.pk]
        assert Category.objects.raw_values("name").get(pk=created.pk) == {"name": "Мотоциклы"}

    def test_it_refuses_to_move_a_category_under_its_own_child(
        self, admin_client: Client, tree: dict[str, Category]
    ) -> None:
        electronics = tree["electronics"]

        response = admin_client.post(
            reverse("admin:taxonomy_category_change", args=[electronics.pk]),
            category_form(electronics, parent=tree["apple"].pk),
        )

        assert response.status_code == 200
        assert "parent" in response.context["adminform"].form.errors
        assert Category.objects.get(pk=electronics.pk).parent_id is None


@pytest.mark.django_db
class TestAttributeAdmin:
    def test_the_change_page_edits_options_inline(self, admin_client: Client) -> None:
        memory = AttributeFactory(key="memory", type=Attribute.Type.CHOICE, options=["64gb", "128gb"])

        page = admin_client.get(reverse("admin:taxonomy_attribute_change", args=[memory.pk])).content.decode()
        listing = admin_client.get(reverse("admin:taxonomy_attribute_changelist"), {"q": "memory"})

        assert "128gb" in page and "options-TOTAL_FORMS" in page
        assert [a.pk for a in listing.context["cl"].result_list] == [memory.pk]
        assert listing.context["cl"].result_list[0].options_count == 2


@pytest.mark.django_db
class TestLocationAdmin:
    def test_the_list_filters_by_kind_and_indents_districts(self, admin_client: Client) -> None:
        tashkent = LocationFactory(name="Ташкент", kind=Location.Kind.CITY)
        LocationFactory(parent=tashkent, name="Чиланзарский район", kind=Location.Kind.DISTRICT)
        url = reverse("admin:taxonomy_location_changelist")

        districts = admin_client.get(url, {"kind": "district"})
        found = admin_client.get(url, {"q": "Chilanzarskiy"}).context["cl"].result_list

        assert [d.name_ru for d in districts.context["cl"].result_list] == ["Чиланзарский район"]
        assert f"{INDENT}└ Чиланзарский район" in districts.content.decode()
        assert [d.name_ru for d in found] == ["Чиланзарский район"]

    def test_moving_a_city_to_another_region_rebuilds_its_path(self, admin_client: Client) -> None:
        old, new = LocationFactory(), LocationFactory()
        city = LocationFactory(parent=old)

        response = admin_client.post(
            reverse("admin:taxonomy_location_change", args=[city.pk]),
            {
                "parent": new.pk,
                "kind": city.kind,
                "order": city.order,
                "name_ru": city.name_ru,
                "name_uz": city.name_uz,
                "slug_ru": city.slug_ru,
                "slug_uz": city.slug_uz,
                "lat": "",
                "lon": "",
            },
        )

        assert response.status_code == 302
        assert Location.objects.get(pk=city.pk).path == [new.pk, city.pk]


@pytest.mark.django_db
class TestAdminOverTheShippedCatalog:
    @pytest.mark.parametrize("model", ["category", "attribute", "location"])
    def test_the_whole_list_renders_without_a_query_per_row(
        self, admin_client: Client, model: str, django_assert_max_num_queries: Any
    ) -> None:
        call_command("load_catalog", stdout=StringIO())
        admin_client.get(reverse(f"admin:taxonomy_{model}_changelist"))  # session and caches warmed

        with django_assert_max_num_queries(12):
            response = admin_client.get(reverse(f"admin:taxonomy_{model}_changelist"))

        assert response.status_code == 200
        assert len(response.context["cl"].result_list) > 70
