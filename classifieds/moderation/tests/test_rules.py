"""Each intake rule in ru and uz: what it must catch and what it must leave alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.moderation import rules
from classifieds.moderation.models import BannedWord, CategoryPriceStat, ModerationSettings, RiskyPhone, Screening
from classifieds.moderation.text import contains_phrase, normalize
from classifieds.taxonomy.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def hits(rule: str, **fields) -> list[rules.Hit]:
    listing = fields.pop("listing", None) or ListingFactory.build(**fields)
    return rules.RULES[rule](rules.Context(listing=listing, settings=ModerationSettings.load()))


class TestNormalisation:
    @pytest.mark.parametrize(
        ("text", "phrase"),
        [
            ("Продаю н а р к о т и к и недорого", "наркотик"),
            ("НАРК0ТИКИ оптом", "наркотик"),
            ("narkotiklar sotiladi", "наркотик"),
            ("Qurol sotaman", "курол"),
            ("Toʻpponcha bor", "to'pponcha"),
            ("то‘пponcha", "to'pponcha"),
        ],
    )
    def test_disguised_words_match(self, text, phrase):
        assert contains_phrase(normalize(text), phrase)

    @pytest.mark.parametrize(
        ("text", "phrase"),
        [("Продаю шкаф-купе", "наркотик"), ("Qurilish materiallari", "qurol"), ("Спайсы для плова", "героин")],
    )
    def test_innocent_text_does_not_match(self, text, phrase):
        assert not contains_phrase(normalize(text), phrase)


class TestBannedWords:
    @pytest.fixture(autouse=True)
    def _only_these_words(self):
        BannedWord.objects.all().delete()  # the list the migration starts with

    def test_ru_hit_through_spacing_and_digits(self):
        BannedWord.objects.create(phrase="пистолет", language="ru")
        found = hits("banned_word", title="П и с т 0 л е т травматический", description="Новый")
        assert [hit.rule for hit in found] == ["banned_word"] and found[0].reason == "prohibited"

    def test_uz_hit_in_cyrillic_for_a_latin_word(self):
        BannedWord.objects.create(phrase="qurol", language="uz")
        assert hits("banned_word", title="Қурол сотилади", description="Arzon")

    def test_ru_miss(self):
        BannedWord.objects.create(phrase="пистолет", language="ru")
        assert hits("banned_word", title="Пистолет-распылитель краски", description="") != []  # a real word start
        assert hits("banned_word", title="Краскопульт", description="для покраски стен") == []

    def test_uz_miss(self):
        BannedWord.objects.create(phrase="qurol", language="uz")
        assert hits("banned_word", title="Qurilish asboblari", description="Yangi, arzon") == []


class TestContacts:
    @pytest.mark.parametrize(
        "text",
        [
            "Звоните +998 90 123-45-67",
            "tel: 901234567, so'rang",
            "Пишите в телеграм @bozor_seller",
            "Batafsil: t.me/sotuvchi",
            "Смотрите на www.example.uz",
            "Oldindan to'lov 8600 1234 5678 9004 kartaga",
        ],
    )
    def test_contacts_in_the_text_are_hits(self, text):
        found = hits("contacts", title="Продаю", description=text)
        assert found and all(hit.reason == "contacts_in_text" for hit in found)

    def test_a_valid_card_number_alone_rejects(self):
        found = hits("contacts", title="Karta", description="8600 1234 5678 9004")
        assert sum(hit.score for hit in found) >= ModerationSettings.load().reject_score

    @pytest.mark.parametrize(
        "text",
        [
            "Цена 90 000 000 сум, торг",
            "Narxi 125 000 000 so'm",
            "Пробег 120 000 км, 2015 год",
            "Xotira 256 GB, 2023-yil",
            "Размер 44, рост 170",
        ],
    )
    def test_prices_and_numbers_are_not_contacts(self, text):
        assert hits("contacts", title="Продаю", description=text) == []


class TestDuplicatePhoto:
    def test_the_same_photo_on_another_sellers_listing_is_a_hit(self):
        theirs = ListingPhotoFactory(checksum="a" * 64)
        mine = ListingPhotoFactory(checksum="a" * 64, listing=ListingFactory(title="Телефон Samsung"))
        found = hits("duplicate_photo", listing=mine.listing)
        assert [hit.detail for hit in found] == [f"listing {theirs.listing_id}"]

    def test_the_same_photo_on_the_sellers_own_listing_is_not(self):
        seller = UserFactory()
        ListingPhotoFactory(checksum="b" * 64, listing=ListingFactory(owner=seller, title="Uy sotiladi"))
        mine = ListingPhotoFactory(checksum="b" * 64, listing=ListingFactory(owner=seller, title="Uy ijaraga"))
        assert hits("duplicate_photo", listing=mine.listing) == []


class TestRiskyPhone:
    def test_a_listed_contact_phone_is_a_hit(self):
        RiskyPhone.objects.create(phone="+998901112233")
        assert hits("risky_phone", contact_phone="+998901112233", title="Телефон", description="Звоните")

    def test_a_listed_number_in_uz_text_is_a_hit(self):
        RiskyPhone.objects.create(phone="+998901112233")
        assert hits("risky_phone", contact_phone="", title="Sotiladi", description="Qo'ng'iroq: 90 111 22 33")

    def test_other_numbers_are_not(self):
        RiskyPhone.objects.create(phone="+998901112233")
        assert (
            hits("risky_phone", contact_phone="+998907654321", title="Телефон", description="Qo'ng'iroq qiling") == []
        )


class TestNewAccountBurst:
    def test_a_new_account_posting_many_in_an_hour_is_a_hit(self):
        seller = UserFactory(date_joined=timezone.now() - timedelta(hours=2))
        ListingFactory.create_batch(4, owner=seller)
        assert hits("new_account_burst", listing=ListingFactory(owner=seller, title="Yangi telefon"))

    def test_an_old_account_or_a_slow_new_one_is_not(self):
        old = UserFactory(date_joined=timezone.now() - timedelta(days=400))
        ListingFactory.create_batch(6, owner=old)
        assert hits("new_account_burst", listing=ListingFactory(owner=old, title="Новый телефон")) == []
        new = UserFactory(date_joined=timezone.now() - timedelta(hours=2))
        ListingFactory(owner=new)
        assert hits("new_account_burst", listing=ListingFactory(owner=new, title="Новый телефон")) == []


class TestSameText:
    def _screened(self, description: str) -> Listing:
        listing = ListingFactory(description=description)
        Screening.objects.create(
            listing=listing, trigger="submit", route="publish", text_digest=rules.Context(listing, None).text_digest
        )
        return listing

    def test_the_same_ru_text_on_many_listings_is_a_hit(self):
        text = "Срочно продаю, звоните в любое время, торг уместен"
        self._screened(text)
        self._screened(text.upper())
        assert hits("same_text", listing=ListingFactory(description=text))

    def test_the_same_uz_text_on_many_listings_is_a_hit(self):
        text = "Tez sotiladi, istalgan vaqtda qo'ng'iroq qiling"
        self._screened(text)
        self._screened(text)
        assert hits("same_text", listing=ListingFactory(description=text))

    def test_different_texts_are_not(self):
        self._screened("Срочно продаю, звоните в любое время, торг уместен")
        self._screened("Tez sotiladi, istalgan vaqtda qo'ng'iroq qiling")
        assert hits("same_text", listing=ListingFactory(description="Продаю велосипед, почти новый, синий")) == []


class TestPriceOutlier:
    @pytest.fixture
    def category(self):
        category = CategoryFactory()
        CategoryPriceStat.objects.create(category=category, median=100_000_000, mad=10_000_000, sample_size=200)
        return category

    def test_a_price_far_below_the_median_is_a_hit(self, category):
        found = hits("price_outlier", category=category, price=Decimal("5000000"), currency="UZS", title="Cobalt")
        assert found and found[0].reason == "misleading_price"

    def test_a_dollar_price_is_compared_in_sum(self, category):
        assert hits("price_outlier", category=category, price=Decimal("400"), currency="USD", title="Кобальт")

    def test_a_usual_price_is_not(self, category):
        assert hits("price_outlier", category=category, price=Decimal("95000000"), currency="UZS", title="Cobalt") == []

    def test_no_statistics_or_too_few_listings_say_nothing(self):
        sparse = CategoryFactory()
        CategoryPriceStat.objects.create(category=sparse, median=100, mad=10, sample_size=5)
        assert hits("price_outlier", category=sparse, price=Decimal("1"), title="Narsa") == []
        assert hits("price_outlier", category=CategoryFactory(), price=Decimal("1"), title="Вещь") == []
