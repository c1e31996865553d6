"""The posting wizard's category finder finds word forms in both languages and both scripts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from classifieds.accounts.tests.factories import UserFactory
from classifieds.search.finder import find_leaf_categories
from classifieds.taxonomy.models import Category

pytestmark = pytest.mark.django_db

# What a seller types -> the leaf (shipped catalog slug) that must come first.
EXPECTED_FIRST = {
    # The placeholder's own examples, ru and uz.
    "квартира": "prodazha-kvartir",
    "kvartira": "prodazha-kvartir",
    "диван": "mebel",
    "divan": "mebel",
    "iphone": "telefony-apple",
    # Word forms and scripts.
    "квартиру": "prodazha-kvartir",
    "Квартиры": "prodazha-kvartir",
    "kvartiralar": "prodazha-kvartir",
    "kvartiru": "prodazha-kvartir",  # Russian typed in Latin
    "kvartra": "prodazha-kvartir",  # a typo
    "телефон": "telefony-apple",
    "telefon": "telefony-apple",
    "telefonlar": "telefony-apple",
    "uy": "prodazha-domov",
    "машина": "legkovye-avtomobili",
    "avtomobil": "legkovye-avtomobili",
    "mashina": "legkovye-avtomobili",
    "айфон": "telefony-apple",
    "iPhone 15": "telefony-apple",
    "холодильник": "bytovaya-tehnika",
    "muzlatkich": "bytovaya-tehnika",
    "собаку": "sobaki",
    "велосипеды": "velosipedy",
    "ноутбук": "noutbuki",
    "работа": "rabota-it",
}


@pytest.fixture
def catalog():
    call_command("load_catalog", stdout=StringIO())
    return {category.pk: category.slug_ru for category in Category.objects.all()}


class TestFinder:
    def test_each_word_form_finds_its_category_first(self, catalog):
        found = {q: [catalog[pk] for pk in find_leaf_categories(q)] for q in EXPECTED_FIRST}
        wrong = {q: found[q][:3] for q, slug in EXPECTED_FIRST.items() if found[q][:1] != [slug]}
        assert not wrong, wrong

    def test_a_category_is_found_by_both_its_names_and_only_leaves_are_offered(self, catalog):
        rent = {catalog[pk] for pk in find_leaf_categories("аренда квартиры", limit=2)}
        assert rent == {"arenda-kvartir", "posutochnaya-arenda-kvartir"}
        leaves = set(Category.objects.filter(is_leaf=True).values_list("pk", flat=True))
        assert set(find_leaf_categories("телефон")) <= leaves

    @pytest.mark.parametrize("q", ["", "a", "xyzzy", "'\"&|!:*()", "ъъъ", "  "])
    def test_nonsense_finds_nothing_and_never_fails(self, catalog, q):
        assert find_leaf_categories(q) == []


class TestThePage:
    def test_the_placeholder_example_finds_flats_in_russian_and_in_uzbek(self, client, catalog):
        client.force_login(UserFactory())
        ru = client.get("/post/", {"q": "квартира"}).content.decode()
        assert "Продажа квартир" in ru and "Ничего не найдено" not in ru
        uz = client.get("/uz/post/", {"q": "kvartira"}).content.decode()
        assert "Kvartiralar sotuvi" in uz

    def test_the_htmx_partial_lists_the_matches(self, client, catalog):
        client.force_login(UserFactory())
        response = client.get("/post/", {"q": "квартиру"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="category-picker")
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html
        assert html.index("Продажа квартир") < html.index("Долгосрочная аренда квартир")
