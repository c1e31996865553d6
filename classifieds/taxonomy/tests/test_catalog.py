"""The shipped catalog, its loader and schema inheritance (value validation: test_attribute_values.py)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from classifieds.taxonomy.management.commands.load_catalog import (
    DEFAULT_CATEGORIES,
    DEFAULT_LOCATIONS,
    read_catalog_file,
)
from classifieds.taxonomy.models import Attribute, AttributeOption, Category, Location
from classifieds.taxonomy.schema import validate_attribute_values
from classifieds.taxonomy.services import CatalogError, CatalogLoadResult, catalog_load

from .factories import CategoryFactory

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
TOP_LEVEL_SLUGS = {
    "transport",
    "nedvizhimost",
    "elektronika",
    "rabota",
    "dom-i-sad",
    "detskiy-mir",
    "moda-i-stil",
    "hobbi-otdyh-i-sport",
    "zhivotnye",
    "biznes-i-uslugi",
}


@pytest.fixture
def catalog_data() -> dict[str, list[Any]]:
    return {
        "categories": read_catalog_file(DEFAULT_CATEGORIES),
        "locations": read_catalog_file(DEFAULT_LOCATIONS),
    }


@pytest.fixture
def loaded(catalog_data: dict[str, list[Any]]) -> CatalogLoadResult:
    return catalog_load(**catalog_data)


def category(slug: str) -> Category:
    return Category.objects.get(slug_ru=slug)


def schema_keys(slug: str) -> list[str]:
    return [attribute.key for attribute in category(slug).schema()]


def tiny_catalog() -> list[dict[str, Any]]:
    """Two roots, one with a branch: small enough to reason about row by row."""
    return [
        {
            "slug": {"ru": "elektronika", "uz": "elektronika"},
            "name": {"ru": "Электроника", "uz": "Elektronika"},
            "icon": "phone",
            "children": [
                {
                    "slug": {"ru": "telefony", "uz": "telefonlar"},
                    "name": {"ru": "Телефоны", "uz": "Telefonlar"},
                    "attributes": [
                        {
                            "key": "memory",
                            "type": "choice",
                            "label": {"ru": "Память", "uz": "Xotira"},
                            "options": [
                                {"value": "64gb", "label": {"ru": "64 ГБ", "uz": "64 GB"}},
                                {"value": "128gb", "label": {"ru": "128 ГБ", "uz": "128 GB"}},
                            ],
                        }
                    ],
                    "children": [
                        {"slug": {"ru": "telefony-apple", "uz": "telefonlar-apple"}, "name": "Apple"},
                    ],
                },
            ],
        },
        {"slug": {"ru": "rabota", "uz": "ish"}, "name": {"ru": "Работа", "uz": "Ish"}, "requires_moderation": True},
    ]


def snapshot() -> dict[str, list[tuple]]:
    return {
        "categories": list(
            Category.objects.order_by("pk").values_list("pk", "parent_id", "path", "is_leaf", "name_ru", "slug_uz")
        ),
        "attributes": list(Attribute.objects.order_by("pk").values_list("pk", "category_id", "key", "label_uz")),
        "options": list(AttributeOption.objects.order_by("pk").values_list("pk", "attribute_id", "value", "label_ru")),
        "locations": list(Location.objects.order_by("pk").values_list("pk", "parent_id", "path", "slug", "name_uz")),
    }


@pytest.mark.django_db
class TestShippedCatalog:
    def test_it_has_the_ten_top_level_categories_of_an_olx_style_marketplace(self, loaded: CatalogLoadResult) -> None:
        roots = list(Category.objects.roots())

        assert len(roots) >= 10
        assert {root.slug_ru for root in roots} >= TOP_LEVEL_SLUGS
        assert all(root.icon for root in roots)

    def test_it_has_at_least_sixty_leaves_and_leaves_are_exactly_the_childless_categories(
        self, loaded: CatalogLoadResult
    ) -> None:
        parents = set(Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))

        assert Category.objects.filter(is_leaf=True).count() >= 60
        for node in Category.objects.all():
            assert node.is_leaf == (node.pk not in parents), node.slug_ru

    def test_phone_brands_are_leaves_under_phones(self, loaded: CatalogLoadResult) -> None:
        phones = category("telefony")
        brands = {child.name_ru for child in phones.children.all()}

        assert {"Apple", "Samsung", "Xiaomi"} <= brands
        assert all(child.is_leaf for child in phones.children.all())
        assert [a.name_ru for a in category("telefony-apple").ancestors()] == ["Электроника", "Телефоны"]

    def test_typing_iphone_leads_to_the_apple_leaf_through_its_model_options(self, loaded: CatalogLoadResult) -> None:
        owners = set(
            AttributeOption.objects.filter(label_ru__icontains="iphone").values_list(
                "attribute__category__slug_ru", flat=True
            )
        )

        assert owners == {"telefony-apple"}

    def test_every_category_and_location_is_named_in_russian_and_in_latin_uzbek(
        self, loaded: CatalogLoadResult
    ) -> None:
        for node in [*Category.objects.all(), *Location.objects.all()]:
            assert node.name_ru and node.name_uz, node.pk
            assert not CYRILLIC.search(node.name_uz), node.name_uz
        for attribute in Attribute.objects.all():
            assert attribute.label_ru and attribute.label_uz and not CYRILLIC.search(attribute.label_uz)
        for option in AttributeOption.objects.all():
            assert option.label_ru and option.label_uz and not CYRILLIC.search(option.label_uz)

    def test_a_category_slug_points_at_one_category_whatever_the_language(self, loaded: CatalogLoadResult) -> None:
        owner: dict[str, int] = {}
        for pk, slug_ru, slug_uz in Category.objects.values_list("pk", "slug_ru", "slug_uz"):
            for slug in {slug_ru, slug_uz}:
                assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
                assert owner.setdefault(slug, pk) == pk, f"{slug} is used by two categories"

    def test_real_estate_and_jobs_are_premoderated_with_a_small_free_quota(self, loaded: CatalogLoadResult) -> None:
        for root_slug, quota in (("nedvizhimost", 1), ("rabota", 3)):
            subtree = Category.objects.subtree_of(category(root_slug))
            assert all(node.requires_moderation for node in subtree)
            assert {node.free_listings_per_30_days for node in subtree} == {quota}
        assert category("legkovye-avtomobili").free_listings_per_30_days == 2
        assert not category("elektronika").requires_moderation
        assert category("elektronika").free_listings_per_30_days is None

    def test_uzbekistan_has_fourteen_first_level_divisions(self, loaded: CatalogLoadResult) -> None:
        roots = list(Location.objects.roots())
        slugs = {root.slug for root in roots}

        assert len(roots) == 14
        assert {"tashkent", "tashkent-region", "karakalpakstan", "samarkand-region", "fergana-region"} <= slugs
        assert sum(root.kind == Location.Kind.REGION for root in roots) == 13

    def test_tashkent_city_has_its_twelve_districts_on_the_map(self, loaded: CatalogLoadResult) -> None:
        districts = list(Location.objects.get(slug="tashkent").children.all())

        assert len(districts) == 12
        assert {d.slug for d in districts} >= {"chilanzar", "yunusabad", "mirzo-ulugbek", "yangihayot"}
        assert all(d.kind == Location.Kind.DISTRICT for d in districts)
        assert all(41.1 < d.lat < 41.45 and 69.1 < d.lon < 69.45 for d in districts)

    def test_every_region_has_cities_with_coordinates_inside_uzbekistan(self, loaded: CatalogLoadResult) -> None:
        for region in Location.objects.filter(kind=Location.Kind.REGION):
            cities = list(region.children.all())
            assert len(cities) >= 2, region.slug
            assert all(city.kind == Location.Kind.CITY for city in cities)
        for location in Location.objects.all():
            assert 37 < location.lat < 46 and 55 < location.lon < 74, location.slug
        assert {"samarkand", "kattakurgan", "kokand", "margilan", "nukus", "khiva", "chirchiq", "almalyk"} <= set(
            Location.objects.values_list("slug", flat=True)
        )

    def test_every_path_runs_from_the_root_down_to_the_node(self, loaded: CatalogLoadResult) -> None:
        for model in (Category, Location):
            paths = dict(model.objects.values_list("pk", "path"))
            for pk, parent_id in model.objects.values_list("pk", "parent_id"):
                assert paths[pk][-1] == pk
                assert paths[pk][:-1] == (paths[parent_id] if parent_id else [])


@pytest.mark.django_db
class TestSchemaInheritance:
    def test_a_car_has_make_model_year_mileage_transmission_fuel_body_and_color(
        self, loaded: CatalogLoadResult
    ) -> None:
        schema = {a.key: a for a in category("legkovye-avtomobili").schema()}

        assert {"make", "model", "year", "mileage", "transmission", "fuel", "body", "color"} <= set(schema)
        assert (schema["year"].min_value, schema["year"].max_value) == (1960, 2027)
        assert (schema["mileage"].min_value, schema["mileage"].max_value) == (0, 2_000_000)
        assert schema["mileage"].unit_ru == "км" and schema["mileage"].unit_uz == "km"
        assert {"chevrolet", "daewoo", "ravon", "kia", "hyundai", "toyota", "lada", "byd", "chery", "bmw"} <= {
            option.value for option in schema["make"].options.all()
        }
        assert {"chevrolet-cobalt", "chevrolet-nexia", "chevrolet-gentra", "chevrolet-damas"} <= {
            option.value for option in schema["model"].options.all()
        }
        assert {o.value for o in schema["transmission"].options.all()} == {"manual", "automatic", "robot", "cvt"}
        assert all(schema[key].filterable for key in ("make", "model", "year", "mileage", "transmission", "fuel"))

    def test_apartments_for_sale_and_for_rent_inherit_the_apartment_schema(self, loaded: CatalogLoadResult) -> None:
        apartment_keys = ["rooms", "area", "floor", "floors", "building_type", "renovation", "furnished"]

        assert schema_keys("prodazha-kvartir")[:7] == apartment_keys
        assert "market" in schema_keys("prodazha-kvartir")
        assert schema_keys("arenda-kvartir")[:7] == apartment_keys
        area = next(a for a in category("arenda-kvartir").schema() if a.key == "area")
        assert (area.type, area.unit_ru, area.unit_uz) == (Attribute.Type.DECIMAL, "м²", "m²")

    def test_a_phone_brand_inherits_memory_from_phones(self, loaded: CatalogLoadResult) -> None:
        assert {"memory", "model"} <= set(schema_keys("telefony-samsung"))
        assert {"brand", "memory"} <= set(schema_keys("telefony-drugie-marki"))
        memory = next(a for a in category("telefony-apple").schema() if a.key == "memory")
        assert memory.category.slug_ru == "telefony"
        assert {"64gb", "128gb", "256gb", "1tb"} <= {option.value for option in memory.options.all()}

    def test_no_category_has_a_condition_attribute_beside_the_listings_own_condition(
        self, loaded: CatalogLoadResult
    ) -> None:
        # One "condition" (Listing.condition, the SRP's ``condition`` filter), never a second field.
        labels = {label.lower() for label in Attribute.objects.values_list("label_ru", flat=True)}
        assert not {label for label in labels if "состояние" in label}
        assert not Attribute.objects.filter(key__in=["state", "condition"]).exists()

    def test_rent_and_jobs_have_price_periods_sales_do_not(self, loaded: CatalogLoadResult) -> None:
        periods = {slug: category(slug).price_period_choices for slug in (
            "arenda-kvartir", "posutochnaya-arenda-kvartir", "arenda-domov", "rabota-it",
            "kommercheskaya-nedvizhimost", "prodazha-kvartir", "telefony-apple", "prodazha-biznesa",
        )}  # fmt: skip
        assert periods == {
            "arenda-kvartir": ["month"],
            "posutochnaya-arenda-kvartir": ["day"],
            "arenda-domov": ["month", "day"],
            "rabota-it": ["month", "day", "hour"],  # inherited from "rabota"
            "kommercheskaya-nedvizhimost": ["once", "month"],
            "prodazha-kvartir": ["once"],
            "telefony-apple": ["once"],
            "prodazha-biznesa": ["once"],  # overrides the services' periods
        }

    def test_a_job_inherits_employment_salary_and_experience(self, loaded: CatalogLoadResult) -> None:
        schema = {a.key: a for a in category("rabota-it").schema()}

        assert {"employment", "salary_min", "salary_max", "experience"} <= set(schema)
        assert {o.value for o in schema["employment"].options.all()} == {
            "full",
            "part",
            "shift",
            "remote",
            "internship",
        }
        assert schema["salary_min"].unit_ru == "сум" and schema["salary_min"].unit_uz == "so‘m"

    def test_other_categories_have_useful_attributes_of_their_own(self, loaded: CatalogLoadResult) -> None:
        assert {"brand", "ram"} <= set(schema_keys("noutbuki"))
        assert {"size", "gender"} <= set(schema_keys("natsionalnaya-odezhda"))
        assert "breed" in schema_keys("sobaki")
        land_area = next(a for a in category("zemelnye-uchastki").schema() if a.key == "land_area")
        assert (land_area.unit_ru, land_area.unit_uz) == ("соток", "sotix")

    def test_a_realistic_car_passes_the_shipped_schema(self, loaded: CatalogLoadResult) -> None:
        cleaned = validate_attribute_values(
            category("legkovye-avtomobili"),
            {
                "make": "chevrolet",
                "model": "chevrolet-cobalt",
                "year": "2021",
                "mileage": "45 000",
                "transmission": "automatic",
                "fuel": ["petrol", "methane"],
                "body": "sedan",
                "color": "white",
            },
        )

        assert len(cleaned) == 9  # fuel is two rows


@pytest.mark.django_db
class TestCatalogLoad:
    def test_loading_twice_changes_nothing_and_duplicates_nothing(self, catalog_data: dict[str, list[Any]]) -> None:
        first = catalog_load(**catalog_data)
        before = snapshot()

        second = catalog_load(**catalog_data)

        assert first.changed and not second.changed
        assert second.categories.unchanged == first.categories.created
        assert second.options.unchanged == first.options.created
        assert snapshot() == before

    def test_a_second_load_reads_each_table_once_and_writes_nothing(
        self, loaded: CatalogLoadResult, catalog_data: dict[str, list[Any]], django_assert_max_num_queries: Any
    ) -> None:
        # Four reads for the upsert, two for the path rebuild; the rest are savepoints.
        with django_assert_max_num_queries(12) as captured:
            catalog_load(**catalog_data)

        statements = [query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries]
        assert statements.count("SELECT") == 6
        assert not {"INSERT", "UPDATE", "DELETE"} & set(statements)

    def test_a_renamed_label_updates_the_row_it_already_has(self) -> None:
        data = tiny_catalog()
        catalog_load(categories=data, locations=[])
        memory = Attribute.objects.get(key="memory")
        data[0]["children"][0]["attributes"][0]["options"][0]["label"] = {"ru": "64 гигабайта", "uz": "64 gigabayt"}
        data[0]["children"][0]["name"]["uz"] = "Mobil telefonlar"

        result = catalog_load(categories=data, locations=[])

        assert (result.categories.updated, result.options.updated) == (1, 1)
        option = AttributeOption.objects.get(attribute=memory, value="64gb")
        assert (option.label_ru, option.label_uz) == ("64 гигабайта", "64 gigabayt")
        assert Category.objects.get(slug_ru="telefony").name_uz == "Mobil telefonlar"
        assert AttributeOption.objects.count() == 2

    def test_a_moved_category_takes_its_subtree_along(self) -> None:
        data = tiny_catalog()
        catalog_load(categories=data, locations=[])
        phones = data[0].pop("children")[0]
        data[1]["children"] = [phones]

        catalog_load(categories=data, locations=[])

        jobs, phones_row, apple = (category(s) for s in ("rabota", "telefony", "telefony-apple"))
        assert phones_row.path == [jobs.pk, phones_row.pk]
        assert apple.path == [jobs.pk, phones_row.pk, apple.pk]
        assert not jobs.is_leaf and category("elektronika").is_leaf
        assert apple.requires_moderation  # inherited from its new root

    def test_settings_are_inherited_unless_a_child_overrides_them(self) -> None:
        catalog_load(categories=tiny_catalog(), locations=[])

        assert category("elektronika").listing_lifetime_days == 30
        assert category("rabota").requires_moderation
        assert not category("telefony-apple").requires_moderation

    def test_base_columns_hold_russian_even_when_loaded_in_uzbek(self) -> None:
        with translation.override("uz"):
            catalog_load(categories=tiny_catalog(), locations=[])

        row = Category.objects.raw_values("name", "slug").get(slug_ru="rabota")
        assert row == {"name": "Работа", "slug": "rabota"}

    @pytest.mark.parametrize(
        ("mutate", "message"),
        [
            (lambda data: data[1]["slug"].update(uz="elektronika"), "elektronika"),
            (lambda data: data[1]["name"].pop("uz"), "name in “uz”"),
            (lambda data: data[1].update(requires_moderaton=True), "requires_moderaton"),
            (
                lambda data: data[0]["children"][0]["children"][0].update(
                    attributes=[{"key": "memory", "type": "text", "label": "Память"}]
                ),
                "memory",
            ),
            (
                lambda data: data[1].update(
                    attributes=[{"key": "salary", "type": "integer", "label": "Зарплата", "options": []}]
                ),
                "salary",
            ),
            (lambda data: data[1].update(attributes=[{"key": "kind", "type": "choice", "label": "Вид"}]), "kind"),
            (lambda data: data[1].update(attributes=[{"key": "x", "type": "float", "label": "X"}]), "float"),
            (lambda data: data[1]["slug"].update(ru="Работа"), "Работа"),
            (lambda data: data[1].update(price_periods=["weekly"]), "weekly"),
            (lambda data: data[1].update(price_periods="month"), "price_periods"),
            (lambda data: data[1].update(price_periods=["month", "month"]), "twice"),
        ],
        ids=[
            "slug-shared-across-languages",
            "missing-uzbek-name",
            "misspelt-key",
            "attribute-redefines-a-parent-key",
            "options-on-a-number",
            "choice-without-options",
            "unknown-type",
            "slug-not-latin",
            "unknown-price-period",
            "price-periods-not-a-list",
            "price-period-twice",
        ],
    )
    def test_it_rejects_inconsistent_data_and_writes_nothing(self, mutate: Any, message: str) -> None:
        data = tiny_catalog()
        mutate(data)

        with translation.override("en"), pytest.raises(CatalogError, match=re.escape(message)):
            catalog_load(categories=data, locations=[])
        assert not Category.objects.exists()

    def test_a_renamed_slug_keeps_the_row_when_the_other_language_slug_is_unchanged(self) -> None:
        data = tiny_catalog()
        catalog_load(categories=data, locations=[])
        jobs = category("rabota")
        data[1]["slug"]["ru"] = "vakansii"

        catalog_load(categories=data, locations=[])

        assert Category.objects.get(slug_uz="ish").pk == jobs.pk
        assert Category.objects.get(pk=jobs.pk).slug_ru == "vakansii"

    def test_it_rejects_a_slug_held_by_a_category_not_in_the_file(self) -> None:
        CategoryFactory(name="Ручная", slug="ish", slug_uz="ruchnaya")

        with pytest.raises(CatalogError, match="ish"):
            catalog_load(categories=tiny_catalog(), locations=[])
        assert Category.objects.count() == 1

    def test_it_rejects_a_location_of_an_unknown_kind(self) -> None:
        locations = [{"slug": "tashkent", "kind": "metropolis", "name": {"ru": "Ташкент", "uz": "Toshkent"}}]

        with pytest.raises(CatalogError, match="metropolis"):
            catalog_load(categories=[], locations=locations)

    def test_the_command_loads_the_shipped_files_and_prints_counts(self) -> None:
        out = StringIO()
        with translation.override("en"):
            call_command("load_catalog", stdout=out)
            call_command("load_catalog", stdout=out)

        first, second = out.getvalue().split("Catalog loaded.")
        assert f"Categories: {Category.objects.count()} ({Category.objects.count()} created" in first
        assert f"Locations: {Location.objects.count()} (0 created, 0 updated" in second
        assert "already up to date" in second

    def test_the_command_reports_a_broken_file_as_an_error(self, tmp_path: Path) -> None:
        broken = tmp_path / "categories.json"
        broken.write_text('{"not": "a list"}', encoding="utf-8")

        with pytest.raises(CommandError):
            call_command("load_catalog", categories=broken, stdout=StringIO())
