from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from classifieds.core.phones import format_phone, mask_phone
from classifieds.core.templatetags.bozor import jsonld, listing_date
from classifieds.core.text import slugify_any, transliterate
from classifieds.listings.money import format_money
from classifieds.listings.templatetags.listing_tags import price

NBSP = "\u00a0"  # Django's (and CLDR's) group separator for ru and uz, and the space before the sign


class TestMoney:
    def test_it_groups_sum_with_no_break_spaces(self):
        with translation.override("ru"):
            assert format_money(Decimal("1250000"), "UZS") == f"1{NBSP}250{NBSP}000{NBSP}сум"

    def test_it_says_som_in_uzbek(self):
        with translation.override("uz"):
            assert format_money(Decimal("1250000"), "UZS") == f"1{NBSP}250{NBSP}000{NBSP}so‘m"

    @pytest.mark.parametrize("language", ["ru", "uz"])
    def test_dollars_are_written_like_sums_not_english_style(self, language):
        with translation.override(language):
            assert format_money(Decimal("9000"), "USD") == f"9{NBSP}000{NBSP}$"
            assert format_money(Decimal("6500000"), "UZS").startswith(f"6{NBSP}500{NBSP}000{NBSP}")

    def test_it_keeps_cents_after_a_decimal_comma(self):
        with translation.override("ru"):
            assert format_money(Decimal("99.5"), "USD") == f"99,50{NBSP}$"
            assert format_money(Decimal("1250.00"), "USD") == f"1{NBSP}250{NBSP}$"

    def test_nothing_is_nothing(self):
        assert format_money(None, "USD") == ""


class TestPricePeriod:
    @pytest.mark.parametrize(
        ("language", "period", "suffix"),
        [
            ("ru", "month", "/мес."),
            ("ru", "day", "/сутки"),
            ("ru", "hour", "/час"),
            ("uz", "month", "/oy"),
            ("uz", "day", "/kun"),
            ("uz", "hour", "/soat"),
            ("ru", "once", ""),
        ],
    )
    def test_a_price_says_what_it_is_per(self, language, period, suffix):
        listing = SimpleNamespace(price_type="amount", price=Decimal("5000000"), currency="UZS", price_period=period)
        with translation.override(language):
            assert price(listing) == format_money(Decimal("5000000"), "UZS") + suffix

    def test_a_narrow_card_may_break_before_the_period_never_inside_the_amount(self):
        listing = SimpleNamespace(price_type="amount", price=Decimal("3400000"), currency="UZS", price_period="month")
        with translation.override("uz"):
            assert price(listing, "wrap") == f"3{NBSP}400{NBSP}000{NBSP}so‘m<wbr>/oy"

    def test_free_and_exchange_have_no_period(self):
        listing = SimpleNamespace(price_type="free", price=None, currency="UZS", price_period="month")
        with translation.override("ru"):
            assert price(listing) == "Бесплатно"


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
