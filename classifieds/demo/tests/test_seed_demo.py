"""``manage.py seed_demo``: believable, valid, fast-path demo data, deterministic per seed."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import phonenumbers
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from classifieds.accounts.models import User
from classifieds.core.text import slugify_any
from classifieds.demo.kinds import detect_kind
from classifieds.demo.photos import PHOTO_POOL_TARGET
from classifieds.listings.models import Listing, ListingAttributeValue
from classifieds.media.models import ListingPhoto
from classifieds.search.backends import get_search_backend
from classifieds.search.query import ListingQuery
from classifieds.taxonomy.models import Attribute, AttributeOption, Category, Location
from classifieds.taxonomy.schema import validate_attribute_values

NOW = "2026-11-28T06:00:00+00:00"


def _category(name_ru, name_uz, slug, parent=None, leaf=True, **extra):
    category = Category.objects.create(
        name=name_ru, name_ru=name_ru, name_uz=name_uz, slug=slug, slug_ru=slug, slug_uz=f"{slug}-uz",
        parent=parent, is_leaf=leaf, **extra,
    )  # fmt: skip
    category.path = [*(parent.path if parent else []), category.pk]
    category.save(update_fields=["path"])
    return category


def _attribute(category, key, type_, label, required=False, options=(), unit="", **extra):
    attribute = Attribute.objects.create(
        category=category, key=key, type=type_, label=label, label_ru=label, label_uz=label, required=required,
        unit=unit, unit_ru=unit, unit_uz=unit, filterable=True, **extra,
    )  # fmt: skip
    for i, (value, ru, uz) in enumerate(options):
        AttributeOption.objects.create(attribute=attribute, value=value, label=ru, label_ru=ru, label_uz=uz, order=i)
    return attribute


def _location(name_ru, name_uz, slug, kind, parent=None, lat=None, lon=None):
    location = Location.objects.create(
        name=name_ru, name_ru=name_ru, name_uz=name_uz, slug=slug, kind=kind, parent=parent, lat=lat, lon=lon
    )
    location.path = [*(parent.path if parent else []), location.pk]
    location.save(update_fields=["path"])
    return location


@pytest.fixture
def small_catalog(db):
    """Six top categories, eight leaves, every attribute type, one unknown kind; Tashkent and Samarkand."""
    transport = _category("Транспорт", "Transport", "transport", leaf=False)
    cars = _category("Легковые автомобили", "Yengil avtomobillar", "legkovye-avtomobili", transport)
    _attribute(
        cars,
        "make",
        "choice",
        "Марка",
        required=True,
        options=[("chevrolet", "Chevrolet", "Chevrolet"), ("kia", "Kia", "Kia"), ("byd", "BYD", "BYD")],
    )
    _attribute(cars, "model", "text", "Модель", required=True)
    _attribute(cars, "year", "integer", "Год выпуска", required=True, min_value=1980, max_value=2026)
    _attribute(cars, "mileage", "integer", "Пробег", unit="км", min_value=0, max_value=1_000_000)
    _attribute(
        cars,
        "transmission",
        "choice",
        "Коробка передач",
        options=[("automatic", "Автомат", "Avtomat"), ("manual", "Механика", "Mexanika")],
    )
    _attribute(cars, "engine_volume", "decimal", "Объём двигателя", min_value=Decimal("0.6"), max_value=8)
    _attribute(
        cars,
        "features",
        "multichoice",
        "Опции",
        options=[
            ("ac", "Кондиционер", "Konditsioner"),
            ("leather", "Кожаный салон", "Charm salon"),
            ("camera", "Камера", "Kamera"),
            ("sunroof", "Люк", "Lyuk"),
        ],
    )
    _attribute(cars, "gas", "boolean", "Газ-метан")
    _category("Запчасти", "Ehtiyot qismlar", "zapchasti", transport)

    realty = _category("Недвижимость", "Ko'chmas mulk", "nedvizhimost", leaf=False)
    flats = _category("Продажа квартир", "Kvartiralar sotuvi", "prodazha-kvartir", realty)
    _attribute(flats, "rooms", "integer", "Комнат", required=True, min_value=1, max_value=10)
    _attribute(flats, "area", "decimal", "Площадь", unit="м²", required=True, min_value=10, max_value=500)
    _attribute(flats, "floor", "integer", "Этаж", min_value=1, max_value=40)
    _attribute(flats, "floors", "integer", "Этажность", min_value=1, max_value=40)
    _category("Аренда квартир", "Kvartiralar ijarasi", "arenda-kvartir", realty)

    electronics = _category("Электроника", "Elektronika", "elektronika", leaf=False)
    phones = _category("Телефоны других марок", "Boshqa telefonlar", "telefony-drugie-marki", electronics)
    _attribute(
        phones,
        "brand",
        "choice",
        "Бренд",
        required=True,
        options=[("honor", "Honor", "Honor"), ("tecno", "Tecno", "Tecno"), ("nokia", "Nokia", "Nokia")],
    )
    _attribute(phones, "model", "text", "Модель", required=True)
    _attribute(
        phones,
        "memory",
        "choice",
        "Память",
        options=[("64gb", "64 ГБ", "64 GB"), ("128gb", "128 ГБ", "128 GB"), ("256gb", "256 ГБ", "256 GB")],
    )
    _attribute(
        phones,
        "state",
        "choice",
        "Состояние",
        required=True,
        options=[("new", "Новый", "Yangi"), ("good", "Хорошее", "Yaxshi")],
    )

    _category("Вакансии", "Vakansiyalar", "vakansii", _category("Работа", "Ish", "rabota", leaf=False))
    home = _category("Дом и сад", "Uy va bog'", "dom-i-sad", leaf=False)
    furniture = _category("Мебель", "Mebel", "mebel", home)
    _attribute(furniture, "material", "choice", "Материал", required=True,
               options=[("wood", "Дерево", "Yog'och"), ("mdf", "МДФ", "MDF")])  # fmt: skip
    _category("Разное", "Turli", "raznoe", _category("Прочее", "Boshqa", "prochee", leaf=False))  # unknown kind

    tashkent = _location("Ташкент", "Toshkent", "tashkent", "city", lat=Decimal("41.311081"), lon=Decimal("69.240562"))
    _location("Юнусабад", "Yunusobod", "yunusabad", "district", tashkent, Decimal("41.3645"), Decimal("69.2856"))
    _location("Чиланзар", "Chilonzor", "chilanzar", "district", tashkent, Decimal("41.2756"), Decimal("69.2034"))
    region = _location("Самаркандская область", "Samarqand viloyati", "samarkand-region", "region")
    _location("Самарканд", "Samarqand", "samarkand", "city", region, Decimal("39.6542"), Decimal("66.9597"))
    _location("Ургут", "Urgut", "urgut", "city", region)  # no coordinates: inherits none
    return Category.objects.filter(is_leaf=True)


def _seed(listings=200, seed=1, **options):
    out = StringIO()
    call_command("seed_demo", listings=listings, seed=seed, now=NOW, no_progress=True, stdout=out, **options)
    return out.getvalue()


def _raw_values(listing):
    """The listing's EAV rows as the raw mapping validate_attribute_values accepts."""
    values: dict[str, object] = {}
    for row in ListingAttributeValue.objects.filter(listing=listing).select_related("attribute", "option"):
        key, kind = row.attribute.key, row.attribute.type
        if kind == Attribute.Type.MULTICHOICE:
            values.setdefault(key, []).append(row.option.value)
        elif row.option_id:
            values[key] = row.option.value
        elif row.value_number is not None:
            values[key] = row.value_number
        elif row.value_bool is not None:
            values[key] = row.value_bool
        else:
            values[key] = row.value_text
    return values


def _snapshot():
    return list(
        Listing.objects.order_by("id").values_list(
            "title", "description", "price", "currency", "price_type", "category_id", "location_id", "language",
            "status", "refreshed_at",
        )
    )  # fmt: skip


class TestSeedDemoOnASmallCatalog:
    def test_it_creates_the_requested_listings_in_leaf_categories(self, small_catalog):
        output = _seed(200)

        assert "Seeded 200 listings" in output
        assert Listing.objects.count() == 200
        leaf_ids = set(small_catalog.values_list("id", flat=True))
        used = Counter(Listing.objects.values_list("category_id", flat=True))
        assert set(used) == leaf_ids  # every leaf, and only leaves

    def test_every_listing_has_valid_attribute_values(self, small_catalog):
        _seed(200)

        checked = 0
        for listing in Listing.objects.select_related("category"):
            validate_attribute_values(listing.category, _raw_values(listing))  # raises on any invalid value
            checked += 1
        assert checked == 200
        assert ListingAttributeValue.objects.filter(option__isnull=False).exists()
        assert ListingAttributeValue.objects.filter(value_bool__isnull=False).exists()
        assert ListingAttributeValue.objects.exclude(value_text="").exists()

    def test_rows_are_believable(self, small_catalog):
        _seed(300)

        listings = list(Listing.objects.select_related("category", "owner"))
        languages = Counter(listing.language for listing in listings)
        assert 0.15 < languages["uz"] / len(listings) < 0.45
        assert all(listing.title and listing.description for listing in listings)
        for language in ("ru", "uz"):
            assert any(listing.title for listing in listings if listing.language == language)
        cars = [listing for listing in listings if listing.category.slug == "legkovye-avtomobili"]
        priced = [listing for listing in cars if listing.price_type == "amount"]
        assert sum(listing.currency == "USD" for listing in priced) > 0.7 * len(priced) > 0
        assert any(" км" in c.title or " km" in c.title for c in cars)
        for listing in listings:
            assert listing.slug == (slugify_any(listing.title)[:100].strip("-") or "item")
            assert 0.5 <= listing.quality_score <= 1.0
            assert listing.price_type != "amount" or listing.price is not None
            assert listing.expires_at > listing.refreshed_at >= listing.created_at
            number = phonenumbers.parse(listing.contact_phone)
            assert phonenumbers.is_valid_number(number) and number.country_code == 998
        statuses = Counter(listing.status for listing in listings)
        assert statuses["active"] > 0.85 * len(listings)
        owners = {listing.owner_id for listing in listings}
        assert User.objects.filter(username__startswith="demo").count() == 20
        assert len(owners) > 5
        assert User.objects.filter(is_business=True).exists() or len(owners) >= 10
        tashkent = sum(listing.location.path[0] == Location.objects.get(slug="tashkent").pk for listing in listings)
        assert 0.25 < tashkent / len(listings) < 0.55

    def test_photos_come_from_a_small_shared_pool(self, small_catalog):
        _seed(200)

        paths = set(ListingPhoto.objects.values_list("image", flat=True))
        assert ListingPhoto.objects.count() > 200
        assert len(paths) <= PHOTO_POOL_TARGET
        assert all(path.startswith("demo/") for path in paths)
        for path in paths:
            assert default_storage.exists(path)
        photo = ListingPhoto.objects.first()
        assert (photo.width, photo.height) == (800, 600) and len(photo.checksum) == 64
        assert Listing.objects.filter(photos__isnull=True).exists()  # some listings have none

    def test_the_same_seed_gives_identical_data_and_another_seed_does_not(self, small_catalog):
        _seed(150, seed=7)
        first = _snapshot()
        Listing.objects.all().delete()
        _seed(150, seed=7, batch=1000)
        again = _snapshot()
        Listing.objects.all().delete()
        _seed(150, seed=8)
        other = _snapshot()

        assert first == again
        assert [row[0] for row in first] != [row[0] for row in other]

    def test_if_empty_skips_when_listings_exist(self, small_catalog):
        _seed(20)
        output = _seed(20, if_empty=True)

        assert "skipped" in output
        assert Listing.objects.count() == 20

    def test_without_if_empty_it_appends(self, small_catalog):
        _seed(20)
        _seed(30, seed=2)

        assert Listing.objects.count() == 50
        assert User.objects.filter(username__startswith="demo").values("phone").distinct().count() == 6

    def test_the_index_rebuild_path_restores_every_index_and_constraint(self, small_catalog):
        def definitions():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
                    [["listings_listing", "listings_listingattributevalue", "media_listingphoto"]],
                )
                indexes = [row[0] for row in cursor.fetchall()]
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])"
                    " ORDER BY 1",
                    [["listings_listing", "listings_listingattributevalue", "media_listingphoto"]],
                )
                return indexes, cursor.fetchall()

        before = definitions()
        _seed(50, indexes="rebuild")

        assert definitions() == before
        assert Listing.objects.count() == 50

    @pytest.mark.parametrize("indexes", ["rebuild", "keep"])
    def test_the_load_computes_the_search_columns_a_rebuild_would(self, small_catalog, indexes):
        """The load fills the search columns itself, batch by batch as it writes them (before the indexes
        come back), so the command only derives the vocabulary and counts; a full rebuild afterwards, or
        indexing the listings one set of ids at a time as the outbox does, finds nothing to change. Arrays
        and vectors are compared as sets: the order of aggregated values follows the query plan."""

        def columns():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, (SELECT array_agg(x ORDER BY x) FROM unnest(facet_values) x), strip(search_vector),"
                    " length(search_vector), attrs_num, quality_score, geo_lat, geo_lon, price_uzs"
                    " FROM listings_listing ORDER BY id"
                )
                return cursor.fetchall()

        _seed(2_100, indexes=indexes, batch=1_000)  # three batches
        seeded = columns()
        get_search_backend().rebuild()

        assert columns() == seeded
        get_search_backend().index([row[0] for row in seeded[::7]])
        assert columns() == seeded
        assert all(row[1] and row[3] for row in seeded)  # every listing has facets and a text vector
        assert any(row[4] for row in seeded) and any(row[6] is not None for row in seeded)
        word = Listing.objects.filter(status="active").order_by("id").first().title.split()[0]
        assert get_search_backend().search(ListingQuery(q=word)).count() >= 1


class TestKindDetection:
    @pytest.mark.parametrize(
        ("slugs", "kind"),
        [
            ([["legkovye-avtomobili"], ["transport"]], "cars"),
            ([["prodazha-kvartir"], ["nedvizhimost"]], "apartment_sale"),
            ([["arenda-kvartir"], ["nedvizhimost"]], "apartment_rent"),
            ([["mobilnye-telefony"], ["elektronika"]], "phones"),
            ([["telefony-apple"], ["telefony"]], "phones"),
            ([["vakansii"], ["rabota"]], "jobs"),
            ([["zzz"], ["yyy"]], "generic"),
        ],
    )
    def test_it_recognises_a_leaf_by_its_slugs(self, slugs, kind):
        assert detect_kind(slugs).name == kind


CYRILLIC = re.compile("[\u0400-\u04ff]")


class TestSeedDemoOnTheShippedCatalog:
    def test_every_leaf_gets_valid_believable_listings(self, db):
        call_command("load_catalog", stdout=StringIO())
        leaves = Category.objects.filter(is_leaf=True)
        _seed(400)

        assert set(Listing.objects.values_list("category_id", flat=True)) == set(leaves.values_list("id", flat=True))
        for listing in Listing.objects.select_related("category"):
            validate_attribute_values(listing.category, _raw_values(listing))
            assert listing.title.strip() and not {"{", "}", "[", "]"} & set(listing.title), listing.title
            if listing.language == "uz":
                assert not CYRILLIC.search(listing.title), listing.title
        cars = Listing.objects.filter(category__slug="legkovye-avtomobili", price_type="amount")
        assert all(re.search(r" (19|20)\d\d, .* (км|km)$", car.title) for car in cars), [c.title for c in cars]
        flats = Listing.objects.filter(category__slug="prodazha-kvartir")
        assert all("м²" in flat.title or "m²" in flat.title for flat in flats)

    def test_rent_is_priced_per_month_or_day_and_salaries_per_month(self, db):
        call_command("load_catalog", stdout=StringIO())
        _seed(400)

        priced = Listing.objects.filter(price_type="amount")
        periods = dict(priced.values_list("category__slug_ru", "price_period").distinct())
        assert periods["arenda-kvartir"] == "month"
        assert periods["posutochnaya-arenda-kvartir"] == "day"
        assert set(priced.filter(category__slug_ru__startswith="rabota-").values_list("price_period", flat=True)) == {
            "month"
        }
        assert set(priced.filter(category__slug_ru="prodazha-kvartir").values_list("price_period", flat=True)) == {
            "once"
        }
        for listing in Listing.objects.select_related("category"):
            assert listing.price_period in listing.category.price_period_choices

    def test_every_shipped_leaf_has_a_known_kind(self, db):
        call_command("load_catalog", stdout=StringIO())

        for leaf in Category.objects.filter(is_leaf=True):
            assert detect_kind([[leaf.slug_ru, leaf.slug_uz]]).name != "generic", leaf.slug_ru
