"""Query text helpers, and the SQL transliteration kept equal to the Python one."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from classifieds.core.text import CYRILLIC_TO_LATIN
from classifieds.search.backends.opensearch_dsl import uz_suffix_filter
from classifieds.search.text import (
    clean_query,
    has_operators,
    latin_skeleton,
    latin_tsquery,
    synonym_variants,
    uz_stem,
)

SAMPLES = [
    "Кобальт",
    "ТЕЛЕФОН",
    "Ўзбекистон, Ғишт, Қовун, Ҳовли",
    "Щётка жёлтая, цыплёнок; Юнусабад, Яккасарай",
    "O‘zbek tilida e’lon, so'm, g`isht",
    "iPhone 13 Pro Max — 256 ГБ",
    "Съезд, подъезд, объём",
]


class TestLatinSkeleton:
    @pytest.mark.parametrize(
        ("text", "skeleton"),
        [
            ("Кобальт", "kobalt"),
            ("телефон", "telefon"),
            ("O‘zbekiston", "ozbekiston"),
            ("Ўзбекистон", "ozbekiston"),
            ("Шевроле Нексия", "shevrole neksiya"),
        ],
    )
    def test_it_spells_both_scripts_alike(self, text, skeleton):
        assert latin_skeleton(text) == skeleton

    @pytest.mark.django_db
    @pytest.mark.parametrize("text", [*SAMPLES, "".join(CYRILLIC_TO_LATIN), "".join(CYRILLIC_TO_LATIN).upper()])
    def test_the_sql_function_matches_the_python_one(self, text):
        with connection.cursor() as cursor:
            cursor.execute("SELECT bozor_translit(%s)", [text])
            assert cursor.fetchone()[0] == latin_skeleton(text)


STEM_SAMPLES = [
    "telefonlarda toshkentda uyda bolalari plitalari kiyimlari samarqandda",
    "kitoblar xonadonlardan telefonlarining dokonga ishga larining abcdlar",
    "damas nexia 2019 iphone13 kolyaska ijaraga chilonzordagi mashinasi",
]


class TestUzbekEndings:
    @pytest.mark.django_db
    @pytest.mark.parametrize("text", STEM_SAMPLES)
    def test_the_sql_stemmer_matches_the_python_one_word_by_word(self, text):
        with connection.cursor() as cursor:
            cursor.execute("SELECT bozor_uz_stem(%s)", [text])
            assert cursor.fetchone()[0] == " ".join(uz_stem(word) for word in text.split())

    @pytest.mark.parametrize("text", STEM_SAMPLES)
    def test_the_opensearch_filter_matches_the_python_one_word_by_word(self, text):
        rule = uz_suffix_filter()
        # Java's and Python's regular expressions agree on this one (lazy stem, anchored alternation).
        pattern = re.compile(rule["pattern"])
        assert rule["replacement"] == "$1"
        stems = [pattern.sub(r"\1", word) for word in text.split()]
        assert stems == [uz_stem(word) for word in text.split()]

    @pytest.mark.django_db
    @pytest.mark.parametrize("typed", ["O‘g‘il bolalar", "oʻgʻil", "o`g`il", "o'g'il", "oʼgʼil", "O’G’IL"])
    def test_every_apostrophe_spelling_gives_the_same_lexemes(self, typed):
        with connection.cursor() as cursor:
            cursor.execute("SELECT bozor_uz_stem(bozor_translit(%s)), bozor_uz_stem(bozor_translit('o‘g‘il'))", [typed])
            found, reference = cursor.fetchone()
        assert found.split()[0] == reference == "ogil"


class TestQueryHelpers:
    def test_uzbek_endings_are_dropped_when_enough_is_left(self):
        assert uz_stem("toshkentda") == "toshkent"
        assert uz_stem("telefonlar") == "telefon"
        assert uz_stem("uyda") == "uyda"  # too short to be sure

    def test_the_latin_tsquery_uses_prefixes_and_only_safe_characters(self):
        assert latin_tsquery("Кобальт 2019") == "kobalt & 2019"
        assert latin_tsquery("telefonlar Toshkentda") == "telefon:* & toshkent:*"
        assert latin_tsquery("a & b | !c :* (d)") == "a & b & c & d"
        assert latin_tsquery("' ; DROP TABLE --") == "drop & table"
        assert latin_tsquery("!!!") == ""

    def test_web_search_operators_are_recognised(self):
        assert has_operators('"chevrolet cobalt"')
        assert has_operators("cobalt -2012")
        assert has_operators("cobalt or nexia")
        assert not has_operators("cobalt 2012-2015")

    def test_queries_are_cleaned_and_bounded(self):
        assert clean_query("  iphone\x00\n 13  ") == "iphone 13"
        assert len(clean_query("x" * 10_000)) == 200


class TestSynonymVariants:
    GROUPS = [["айфон", "iphone"], ["мерс", "mercedes", "mercedes-benz"], ["кобальт", "cobalt"]]

    def test_a_known_word_is_replaced_by_each_synonym(self):
        assert synonym_variants("Айфон 13", self.GROUPS) == ["iphone 13"]
        assert synonym_variants("мерс e200", self.GROUPS) == ["mercedes e200", "mercedes benz e200"]

    def test_words_match_by_their_latin_skeleton(self):
        assert synonym_variants("kobalt", self.GROUPS) == ["кобальт", "cobalt"]

    def test_unknown_words_give_nothing(self):
        assert synonym_variants("нексия", self.GROUPS) == []
        assert synonym_variants("", self.GROUPS) == []
