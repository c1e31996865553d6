"""Attribute values are validated against the category's schema (``validate_attribute_values``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classifieds.taxonomy.models import Attribute, Category
from classifieds.taxonomy.schema import validate_attribute_values

from .factories import AttributeFactory, CategoryFactory


@pytest.fixture
def schema_category() -> Category:
    """A parent with a required choice, a leaf with one attribute of every other type."""
    parent = CategoryFactory(name="Телефоны")
    AttributeFactory(
        category=parent, key="memory", type=Attribute.Type.CHOICE, required=True, options=["64gb", "128gb"]
    )
    leaf = CategoryFactory(parent=parent, name="Apple")
    AttributeFactory(
        category=leaf, key="year", label="Year", type=Attribute.Type.INTEGER, min_value=1960, max_value=2027
    )
    AttributeFactory(category=leaf, key="area", type=Attribute.Type.DECIMAL, min_value=5, max_value=1000)
    AttributeFactory(
        category=leaf, key="fuel", type=Attribute.Type.MULTICHOICE, options=["petrol", "methane", "diesel"]
    )
    AttributeFactory(category=leaf, key="furnished", type=Attribute.Type.BOOLEAN)
    AttributeFactory(category=leaf, key="color", type=Attribute.Type.TEXT)
    return leaf


def errors_of(category: Category, values: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_attribute_values(category, values)
    return caught.value.message_dict


@pytest.mark.django_db
class TestValidateAttributeValues:
    def test_it_accepts_good_values_of_every_type(self, schema_category: Category) -> None:
        cleaned = validate_attribute_values(
            schema_category,
            {
                "memory": "128gb",
                "year": "2020",
                "area": "45,5",
                "fuel": ["petrol", "methane"],
                "furnished": "да",
                "color": " white ",
            },
        )
        by_key: dict[str, list] = {}
        for value in cleaned:
            by_key.setdefault(value.attribute.key, []).append(value)

        assert by_key["memory"][0].option.value == "128gb"
        assert by_key["year"][0].number == 2020
        assert by_key["area"][0].number == Decimal("45.5")
        assert [v.option.value for v in by_key["fuel"]] == ["petrol", "methane"]
        assert by_key["furnished"][0].boolean is True
        assert by_key["color"][0].text == "white"

    def test_it_accepts_false_booleans_a_single_multichoice_value_and_skips_empty_optional_ones(
        self, schema_category: Category
    ) -> None:
        cleaned = validate_attribute_values(
            schema_category, {"memory": "64gb", "fuel": "diesel", "furnished": False, "year": "", "color": None}
        )

        assert {value.attribute.key for value in cleaned} == {"memory", "fuel", "furnished"}
        assert next(v for v in cleaned if v.attribute.key == "furnished").boolean is False

    def test_it_rejects_text_where_a_number_is_expected(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": "64gb", "area": "big"}) == {"area": [_("Enter a number.")]}

    def test_it_rejects_a_fraction_for_an_integer(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": "64gb", "year": "2020.5"}) == {
            "year": [_("Enter a whole number.")]
        }

    def test_it_rejects_numbers_out_of_range(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": "64gb", "year": "1959"}) == {
            "year": [_("Must be at least %(min)s.") % {"min": "1960"}]
        }
        assert errors_of(schema_category, {"memory": "64gb", "area": "1000.01"}) == {
            "area": [_("Must be at most %(max)s.") % {"max": "1000"}]
        }

    def test_it_rejects_an_unknown_option(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": "3tb"}) == {
            "memory": [_("“%(value)s” is not one of the available options.") % {"value": "3tb"}]
        }

    def test_it_rejects_two_options_for_a_single_choice(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": ["64gb", "128gb"]}) == {"memory": [_("Choose one option.")]}

    def test_it_rejects_a_missing_required_value(self, schema_category: Category) -> None:
        memory = Attribute.objects.get(key="memory")

        assert errors_of(schema_category, {"color": "red"}) == {
            "memory": [_("%(label)s is required.") % {"label": memory.label}]
        }

    def test_it_rejects_an_unknown_key(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": "64gb", "wheels": "4"}) == {
            "wheels": [_("This category has no attribute “%(key)s”.") % {"key": "wheels"}]
        }

    def test_it_rejects_a_boolean_that_is_neither_yes_nor_no(self, schema_category: Category) -> None:
        assert errors_of(schema_category, {"memory": "64gb", "furnished": "maybe"}) == {
            "furnished": [_("Choose yes or no.")]
        }

    def test_it_reports_every_error_at_once(self, schema_category: Category) -> None:
        errors = errors_of(schema_category, {"year": "old", "fuel": ["petrol", "hydrogen"], "extra": 1})

        assert set(errors) == {"memory", "year", "fuel", "extra"}
