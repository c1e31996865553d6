from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from classifieds.core.phones import format_phone, mask_phone
from classifieds.core.templatetags.bozor import format_money, jsonld, listing_date
from classifieds.core.text import slugify_any, transliterate


class TestMoney:
    def test_it_groups_sum_with_spaces(self):
        with translation.override("ru"):
            assert format_money(Decimal("1250000"), "UZS") == "1 250 000 сум"

    def test_it_says_som_in_uzbek(self):
        with translation.override("uz"):
            assert format_money(Decimal("1250000"), "UZS") == "1 250 000 so‘m"

    def test_it_writes_dollars_with_commas(self):
        assert format_money(Decimal("1250"), "USD") == "$1,250"

    def test_it_keeps_cents(self):
        assert format_money(Decimal("99.5"), "USD") == "$99.50"


class TestPhones:
    def test_it_formats_uzbek_numbers(self):
        assert format_phone("+998901234567") == "+998 90 123 45 67"

    def test_it_masks_all_but_the_operator_and_last_two_digits(self):
        assert mask_phone("+998901234567") == "+998 90 *** ** 67"

    def test_masking_nothing_gives_nothing(self):
        assert mask_phone("") == ""


class TestText:
    def test_it_transliterates_cyrillic(self):
        assert transliterate("Тошкент") == "Toshkent"

    def test_it_makes_ascii_slugs_from_uzbek_and_russian(self):
        assert slugify_any("Ko‘chmas mulk") == "kochmas-mulk"
        assert slugify_any("Квартира в Юнусабаде") == "kvartira-v-yunusabade"


class TestJsonLd:
    def test_it_cannot_close_the_script_tag(self):
        assert "</script>" not in jsonld({"name": "</script><script>alert(1)</script>"})


class TestListingDate:
    def test_today_shows_the_time(self):
        now = timezone.localtime()
        with translation.override("ru"):
            assert listing_date(now) == f"Сегодня {now:%H:%M}"

    def test_yesterday_says_so(self):
        with translation.override("uz"):
            assert listing_date(timezone.now() - timedelta(days=1)).startswith("Kecha")

    @pytest.mark.parametrize("lang", ["ru", "uz"])
    def test_older_dates_show_day_and_month(self, lang):
        value = timezone.now() - timedelta(days=40)
        with translation.override(lang):
            text = listing_date(value)
        assert str(timezone.localtime(value).day) in text
