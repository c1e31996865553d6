"""Place slugs per language: Russian from the catalogue file, Uzbek Latin from the Uzbek name, the other one a 301."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from classifieds.seo.tests.markup import parse
from classifieds.seo.tests.test_language_switch import language_switch
from classifieds.taxonomy.models import Location
from classifieds.taxonomy.paths import resolve_srp, srp_path
from classifieds.taxonomy.place_slugs import PlaceName, latin_slug, uzbek_place_slugs
from classifieds.taxonomy.services import catalog_load
from classifieds.taxonomy.tests.factories import CategoryFactory, LocationFactory

BASE = "http://bozor.test"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Toshkent", "toshkent"),
        ("Mirzo Ulug‘bek tumani", "mirzo-ulugbek-tumani"),
        ("Farg‘ona viloyati", "fargona-viloyati"),
        ("Qo'qon", "qoqon"),
        ("O\u02bbzbekiston", "ozbekiston"),
        ("  Zarbdor -- tumani ", "zarbdor-tumani"),
        ("Ташкент", ""),
    ],
)
def test_latin_slug(name, slug):
    assert latin_slug(name) == slug


def test_a_derived_slug_never_names_another_place():
    slugs = uzbek_place_slugs(
        [
            PlaceName("andijan-region", "andijan-region", "Andijon viloyati"),
            PlaceName("andijan", "andijan", "Andijon", parent="andijan-region"),
            PlaceName("bukhara-region", "bukhara-region", "Buxoro viloyati"),
            PlaceName("bukhara", "bukhara", "Buxoro", parent="bukhara-region"),
            # Russian slug of one place = Uzbek name of another; a name twice; no Latin name at all.
            PlaceName("buxoro", "buxoro", "Buxoro tumani", parent="bukhara-region"),
            PlaceName("baliqchi-1", "baliqchi-1", "Baliqchi", parent="andijan-region"),
            PlaceName("baliqchi-2", "baliqchi-2", "Baliqchi", parent="bukhara-region"),
            PlaceName("nameless", "nameless", "Без имени", parent="andijan-region"),
        ],
        taken=["baliqchi-andijon-viloyati"],
    )
    assert slugs["andijan"] == "andijon"
    assert slugs["bukhara"] == "buxoro-buxoro-viloyati"  # "buxoro" is another place's Russian slug
    assert slugs["buxoro"] == "buxoro-tumani"
    assert slugs["baliqchi-1"] == "baliqchi"
    assert slugs["baliqchi-2"] == "baliqchi-buxoro-viloyati"
    assert slugs["nameless"] == "nameless"
    assert len(set(slugs.values())) == len(slugs)


PLACES = [
    {
        "slug": "tashkent",
        "kind": "city",
        "name": {"ru": "Ташкент", "uz": "Toshkent"},
        "children": [
            {
                "slug": "mirzo-ulugbek",
                "kind": "district",
                "name": {"ru": "Мирзо-Улугбекский район", "uz": "Mirzo Ulug‘bek tumani"},
            }
        ],
    },
    {"slug": "fergana-region", "kind": "region", "name": {"ru": "Ферганская область", "uz": "Farg‘ona viloyati"}},
]


@pytest.mark.django_db
class TestLoadingAndMigrating:
    def test_loading_the_catalogue_fills_both_slugs_and_is_idempotent(self):
        catalog_load(categories=[], locations=PLACES)
        slugs = dict(Location.objects.values_list("slug_ru", "slug_uz"))
        assert slugs == {
            "tashkent": "toshkent",
            "mirzo-ulugbek": "mirzo-ulugbek-tumani",
            "fergana-region": "fargona-viloyati",
        }
        assert set(Location.objects.values_list("slug", flat=True)) == set(slugs)  # the base column: Russian
        again = catalog_load(categories=[], locations=PLACES)
        assert again.locations.created == again.locations.updated == 0

    def test_the_shipped_catalogue_gets_an_uzbek_slug_for_every_place(self):
        call_command("load_catalog", verbosity=0)
        rows = list(Location.objects.values_list("slug_ru", "slug_uz"))
        assert rows and all(ru and uz for ru, uz in rows)
        assert ("tashkent", "toshkent") in rows

    def test_the_data_migration_fills_existing_rows(self):
        region = LocationFactory(name="Самаркандская область", name_uz="Samarqand viloyati", slug="samarkand-region")
        city = LocationFactory(parent=region, name="Самарканд", name_uz="Samarqand", slug="samarkand")
        with connection.cursor() as cursor:  # rows as they were before the columns existed
            cursor.execute("UPDATE taxonomy_location SET slug_ru = NULL, slug_uz = NULL")
        migration = importlib.import_module("classifieds.taxonomy.migrations.0003_location_slug_translations")

        state = MigrationLoader(connection).project_state(("taxonomy", "0003_location_slug_translations"))

        migration.fill_slugs(state.apps, None)  # the historical model, as the migration gets it

        assert dict(Location.objects.values_list("pk", "slug_uz")) == {
            region.pk: "samarqand-viloyati",
            city.pk: "samarqand",
        }
        assert dict(Location.objects.values_list("pk", "slug_ru")) == {
            region.pk: "samarkand-region",
            city.pk: "samarkand",
        }


@pytest.fixture
def place_pages(settings):
    settings.BASE_URL = BASE
    cars = CategoryFactory(name="Легковые", name_uz="Yengil", slug_ru="legkovye", slug_uz="yengil")
    region = LocationFactory(name="Ташкент", name_uz="Toshkent", slug_ru="tashkent", slug_uz="toshkent")
    return cars, region


@pytest.mark.django_db
class TestResultsPages:
    def test_each_language_has_its_own_place_slug(self, client, place_pages):
        cars, region = place_pages
        assert srp_path(cars, region) == "/c/legkovye/tashkent/"
        with translation.override("uz"):
            assert srp_path(cars, region) == "/uz/c/yengil/toshkent/"
        assert client.get("/c/legkovye/tashkent/").status_code == 200
        assert client.get("/uz/c/yengil/toshkent/").status_code == 200

    def test_the_other_languages_place_slug_answers_301(self, client, place_pages):
        for wrong, right in [
            ("/uz/c/yengil/tashkent/?page=1", "/uz/c/yengil/toshkent/?page=1"),
            ("/uz/c/legkovye/tashkent/", "/uz/c/yengil/toshkent/"),
            ("/c/legkovye/toshkent/", "/c/legkovye/tashkent/"),
            ("/c/yengil/toshkent/", "/c/legkovye/tashkent/"),
        ]:
            response = client.get(wrong)
            assert response.status_code == 301, wrong
            assert response["Location"] == right
        assert client.get("/c/legkovye/no-such-place/").status_code == 404

    def test_canonical_hreflang_and_the_switch_use_each_languages_slug(self, client, place_pages):
        response = client.get("/uz/c/yengil/toshkent/")
        page = parse(response.content)
        assert page.canonical == [f"{BASE}/uz/c/yengil/toshkent/"]
        assert page.alternates["ru-UZ"] == f"{BASE}/c/legkovye/tashkent/"
        assert page.alternates["uz-UZ"] == f"{BASE}/uz/c/yengil/toshkent/"
        assert page.alternates["x-default"] == f"{BASE}/c/legkovye/tashkent/"
        assert language_switch(response) == {"RU": "/c/legkovye/tashkent/", "UZ": "current"}
        assert language_switch(client.get("/c/legkovye/tashkent/")) == {"RU": "current", "UZ": "/uz/c/yengil/toshkent/"}

    def test_a_saved_address_in_either_language_names_the_place(self, place_pages):
        cars, region = place_pages
        assert resolve_srp("/uz/c/yengil/toshkent/?q=x").location == region
        assert resolve_srp("/c/legkovye/toshkent/").current is False
        assert resolve_srp("/c/legkovye/tashkent/").current is True

    def test_near_me_understands_either_slug(self, client, place_pages):
        assert client.get("/uz/c/yengil/?near=toshkent").status_code == 200
        assert client.get("/c/legkovye/?near=tashkent").status_code == 200
