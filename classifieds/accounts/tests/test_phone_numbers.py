"""Phone numbers as people type them normalize to E.164; anything we must not text is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from classifieds.accounts.forms import PhoneForm, normalize_phone


class TestNormalization:
    @pytest.mark.parametrize(
        "typed",
        [
            "90 123 45 67",
            "901234567",
            "+998901234567",
            "998 90 123-45-67",
            "+998 (90) 123-45-67",
            "  +998 90 123 45 67  ",
            "00998901234567",
        ],
    )
    def test_uzbek_numbers_in_every_usual_format_become_e164(self, typed):
        assert normalize_phone(typed) == "+998901234567"

    @pytest.mark.parametrize("typed", ["33 123 45 67", "+998 77 123 45 67", "+998 88 123 45 67", "+998 50 123 45 67"])
    def test_every_uzbek_mobile_operator_is_accepted(self, typed):
        assert normalize_phone(typed).startswith("+998")

    @pytest.mark.parametrize(
        "garbage", ["", "   ", "abc", "123", "90 123", "+998 90 123 45 67 89 10", "call me", "1" * 40, "+0 000"]
    )
    def test_garbage_is_rejected(self, garbage):
        with pytest.raises(ValidationError):
            normalize_phone(garbage)

    def test_a_landline_gets_no_code(self):
        with pytest.raises(ValidationError) as error:
            normalize_phone("+998 71 123 45 67")  # Tashkent fixed line
        assert error.value.code == "not_mobile"

    def test_other_countries_are_refused_by_default(self):
        with pytest.raises(ValidationError) as error:
            normalize_phone("+7 916 123 45 67")
        assert error.value.code == "country_not_allowed"

    def test_other_countries_in_e164_pass_once_allowed(self, settings):
        settings.PHONE_ALLOWED_COUNTRY_CODES = ["998", "7"]
        assert normalize_phone("+7 916 123-45-67") == "+79161234567"
        assert normalize_phone("+998901234567") == "+998901234567"


class TestPhoneForm:
    def test_it_cleans_to_e164(self):
        form = PhoneForm({"phone": "90 123 45 67"})
        assert form.is_valid()
        assert form.cleaned_data["phone"] == "+998901234567"

    def test_it_explains_what_is_wrong(self):
        form = PhoneForm({"phone": "hello"})
        assert not form.is_valid()
        assert form.errors["phone"] == ["Это не похоже на номер телефона."]
