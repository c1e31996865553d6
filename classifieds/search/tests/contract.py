"""``SearchBackendContract``: what every search backend must do, run by each backend's test class.

A subclass provides the ``backend`` fixture. The corpus is built through the
factories and services, then ``backend.rebuild()`` indexes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.listings.services import listing_set_attributes
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.search.backends.base import SearchBackend
from classifieds.search.query import (
    BOOLEAN,
    CATEGORY,
    CONDITION,
    LOCATION,
    PHOTO,
    PRICE_LADDER,
    SELLER,
    ListingQuery,
    OptionFilter,
    RangeFilter,
    price_bucket_bounds,
)
from classifieds.taxonomy.models import Attribute, Category, Location
from classifieds.taxonomy.tests.factories import AttributeFactory, CategoryFactory, LocationFactory

ALL = 1000


@dataclass
class Corpus:
    categories: dict[str, Category]
    locations: dict[str, Location]
    attributes: dict[str, Attribute]
    listings: dict[str, Listing]

    def option(self, key: str, value: str) -> int:
        return self.attributes[key].options.get(value=value).pk

    def ids(self, *names: str) -> set[int]:
        return {self.listings[name].pk for name in names}

    def group_of(self, value: int) -> str | None:
        """The option group a facet value id belongs to (None for categories, places, photo)."""
        if CONDITION < value < CONDITION + 10:
            return "condition"
        if SELLER < value < SELLER + 10:
            return "seller"
        if value >= BOOLEAN:
            attribute = Attribute.objects.get(pk=value - BOOLEAN)
            return f"attrs.{attribute.key}"
        if value < CATEGORY:
            attribute = Attribute.objects.get(options__pk=value)
            return f"attrs.{attribute.key}"
        return None


def build_corpus() -> Corpus:
    now = timezone.now()
    transport = CategoryFactory(name="Транспорт", slug="c-transport")
    cars = CategoryFactory(parent=transport, name="Легковые автомобили", slug="c-cars")
    trucks = CategoryFactory(parent=transport, name="Грузовики", slug="c-trucks")
    electronics = CategoryFactory(name="Электроника", slug="c-electronics")
    phones = CategoryFactory(parent=electronics, name="Телефоны", slug="c-phones")
    attributes = {
        "make": AttributeFactory(
            category=cars,
            key="make",
            label="Марка",
            type=Attribute.Type.CHOICE,
            filterable=True,
            options=["chevrolet", "daewoo", "toyota"],
        ),
        "gearbox": AttributeFactory(
            category=cars,
            key="gearbox",
            label="Коробка",
            type=Attribute.Type.CHOICE,
            filterable=True,
            options=["manual", "automatic"],
        ),
        "year": AttributeFactory(
            category=cars, key="year", label="Год выпуска", type=Attribute.Type.INTEGER, filterable=True
        ),
        "ac": AttributeFactory(
            category=cars, key="ac", label="Кондиционер", type=Attribute.Type.BOOLEAN, filterable=True
        ),
        "memory": AttributeFactory(
            category=phones,
            key="memory",
            label="Память",
            type=Attribute.Type.CHOICE,
            filterable=True,
            options=["64gb", "128gb"],
        ),
    }
    tashkent = LocationFactory(name="Ташкент", slug="l-tashkent")
    locations = {
        "tashkent": tashkent,
        "yunusabad": LocationFactory(parent=tashkent, name="Юнусабад", slug="l-yunusabad"),
        "chilanzar": LocationFactory(parent=tashkent, name="Чиланзар", slug="l-chilanzar"),
        "samarkand": LocationFactory(name="Самарканд", slug="l-samarkand"),
    }
    business = UserFactory(is_business=True)

    def make(name, category, location, hours, values=None, photo=False, **kwargs):
        listing = ListingFactory(
            category=category,
            location=locations[location],
            refreshed_at=now - timedelta(hours=hours),
            **kwargs,
        )
        if values:
            listing_set_attributes(listing=listing, values=values)
        if photo:
            ListingPhotoFactory(listing=listing)
        return name, listing

    rows = [
        make(
            "cobalt19",
            cars,
            "yunusabad",
            1,
            {"make": "chevrolet", "gearbox": "automatic", "year": 2019, "ac": True},
            photo=True,
            title="Chevrolet Cobalt 2019",
            price=Decimal("12500"),
            currency="USD",
        ),
        make(
            "cobalt16",
            cars,
            "chilanzar",
            2,
            {"make": "chevrolet", "gearbox": "manual", "year": 2016, "ac": False},
            title="Chevrolet Cobalt 2016",
            price=Decimal("95000000"),
        ),
        make(
            "nexia",
            cars,
            "samarkand",
            3,
            {"make": "daewoo", "gearbox": "manual", "year": 2018},
            photo=True,
            title="Daewoo Nexia 3",
            price=Decimal("85000000"),
            owner=business,
        ),
        make(
            "camry",
            cars,
            "yunusabad",
            4,
            {"make": "toyota", "gearbox": "automatic", "year": 2021, "ac": True},
            title="Toyota Camry 2021",
            price=Decimal("35000"),
            currency="USD",
            condition=Listing.Condition.NEW,
            owner=business,
        ),
        make(
            "spark",
            cars,
            "samarkand",
            5,
            {"make": "chevrolet", "gearbox": "manual", "year": 2015},
            title="Chevrolet Spark",
            description="Кондиционер работает, один хозяин, не бит.",
            price=Decimal("60000000"),
        ),
        make("isuzu", trucks, "chilanzar", 6, title="Isuzu NPR грузовик", price=Decimal("30000"), currency="USD"),
        make(
            "iphone",
            phones,
            "yunusabad",
            7,
            {"memory": "128gb"},
            photo=True,
            title="iPhone 13 Pro",
            price=Decimal("9000000"),
        ),
        make(
            "samsung",
            phones,
            "samarkand",
            8,
            {"memory": "64gb"},
            title="Samsung Galaxy S21",
            price=Decimal("5500000"),
            condition=Listing.Condition.NEW,
            owner=business,
        ),
        make(
            "redmi",
            phones,
            "chilanzar",
            9,
            title="Телефон Redmi Note 10",
            description="Отдам даром, работает.",
            price=None,
            price_type=Listing.PriceType.FREE,
            condition="",
        ),
        make("sold", cars, "yunusabad", 0, title="Chevrolet Cobalt sold", status=Listing.Status.SOLD),
        make("pending", cars, "yunusabad", 0, title="Chevrolet Cobalt pending", status=Listing.Status.PENDING),
        make("expired", cars, "yunusabad", 0, title="Chevrolet Cobalt expired", expires_at=now - timedelta(hours=1)),
    ]
    return Corpus(
        categories={
            "transport": transport,
            "cars": cars,
            "trucks": trucks,
            "electronics": electronics,
            "phones": phones,
        },
        locations=locations,
        attributes=attributes,
        listings=dict(rows),
    )


VISIBLE = ("cobalt19", "cobalt16", "nexia", "camry", "spark", "isuzu", "iphone", "samsung", "redmi")


class SearchBackendContract:
    """Subclasses provide a ``backend`` fixture (a SearchBackend with the summary cache off)."""

    @pytest.fixture
    def backend(self) -> SearchBackend:
        raise NotImplementedError

    @pytest.fixture
    def corpus(self, backend) -> Corpus:
        corpus = build_corpus()
        backend.rebuild()
        return corpus

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def ids(backend: SearchBackend, query: ListingQuery) -> list[int]:
        return backend.ids(query, offset=0, limit=ALL)

    def total(self, backend: SearchBackend, query: ListingQuery) -> int:
        summary = backend.compute_summary(query)
        assert summary.total == len(self.ids(backend, query)), "the total must count exactly the results"
        return summary.total

    def at(self, corpus: Corpus, category: str | None = None, location: str | None = None, **kwargs) -> ListingQuery:
        cat = corpus.categories[category] if category else None
        loc = corpus.locations[location] if location else None
        return ListingQuery(
            category_id=cat.pk if cat else None,
            category_is_leaf=bool(cat and cat.is_leaf),
            location_id=loc.pk if loc else None,
            location_is_region=bool(loc and loc.parent_id is None),
            **kwargs,
        )

    # --- what is findable ---------------------------------------------------------------------
    def test_it_finds_only_visible_listings(self, backend, corpus):
        assert set(self.ids(backend, ListingQuery())) == corpus.ids(*VISIBLE)
        assert self.total(backend, ListingQuery()) == len(VISIBLE)

    def test_deleted_and_expired_listings_are_gone(self, backend, corpus):
        spark, nexia = corpus.listings["spark"], corpus.listings["nexia"]
        Listing.objects.filter(pk=spark.pk).update(status=Listing.Status.DELETED)
        # Well before the test's transaction began: SQL's now() is that moment, not the clock's.
        Listing.objects.filter(pk=nexia.pk).update(expires_at=timezone.now() - timedelta(hours=1))
        backend.index([spark.pk, nexia.pk])
        backend.delete([spark.pk, nexia.pk])
        found = set(self.ids(backend, self.at(corpus, "cars")))
        assert found == corpus.ids("cobalt19", "cobalt16", "camry")
        assert self.total(backend, self.at(corpus, "cars")) == 3

    def test_a_reindexed_listing_reflects_its_new_attributes(self, backend, corpus):
        spark = corpus.listings["spark"]
        listing_set_attributes(listing=spark, values={"make": "daewoo", "gearbox": "manual", "year": 2015})
        backend.index([spark.pk])
        daewoo = self.at(corpus, "cars", options=(OptionFilter("attrs.make", (corpus.option("make", "daewoo"),)),))
        assert set(self.ids(backend, daewoo)) == corpus.ids("nexia", "spark")

    # --- filter_ids: which of some listings a query finds (pinned slots ask it) ------------------------
    def test_filter_ids_keeps_what_an_unfiltered_page_finds_and_nothing_hidden(self, backend, corpus):
        cars = corpus.ids("cobalt19", "cobalt16", "nexia", "camry", "spark")
        hidden = {listing.pk for name, listing in corpus.listings.items() if name not in VISIBLE}
        assert backend.filter_ids(self.at(corpus, "cars"), sorted(cars | hidden)) == cars
        assert backend.filter_ids(self.at(corpus, "cars"), []) == set()

    def test_filter_ids_never_keeps_what_a_filtered_page_does_not_show(self, backend, corpus):
        """A backend may keep fewer (the default keeps none when it cannot tell), never one the page lacks."""
        chevrolet = corpus.option("make", "chevrolet")
        query = self.at(corpus, "cars", options=(OptionFilter("attrs.make", (chevrolet,)),))
        cars = corpus.ids("cobalt19", "cobalt16", "nexia", "camry", "spark")
        assert backend.filter_ids(query, sorted(cars)) <= set(self.ids(backend, query))

    def test_filter_ids_keeps_exactly_what_a_filtered_or_text_page_finds(self, backend, corpus):
        """Pinned TOPs show on filtered and text pages of their category: the backend must tell them apart."""
        chevrolet = corpus.option("make", "chevrolet")
        cars = sorted(corpus.ids("cobalt19", "cobalt16", "nexia", "camry", "spark"))
        for query in (
            self.at(corpus, "cars", options=(OptionFilter("attrs.make", (chevrolet,)),)),
            self.at(corpus, "cars", q="cobalt"),
            self.at(corpus, "transport", q="cobalt", price_max_uzs=10**12),
        ):
            assert backend.filter_ids(query, cars) == set(self.ids(backend, query)) & set(cars), query

    # --- text ----------------------------------------------------------------------------------------
    def test_text_matches_title_words(self, backend, corpus):
        assert set(self.ids(backend, ListingQuery(q="cobalt"))) == corpus.ids("cobalt19", "cobalt16")

    def test_text_matches_russian_word_forms_in_descriptions(self, backend, corpus):
        assert corpus.listings["spark"].pk in self.ids(backend, ListingQuery(q="кондиционером"))

    def test_text_and_category_combine(self, backend, corpus):
        assert set(self.ids(backend, self.at(corpus, "cars", q="chevrolet"))) == corpus.ids(
            "cobalt19", "cobalt16", "spark"
        )
        assert self.ids(backend, self.at(corpus, "trucks", q="chevrolet")) == []

    def test_category_and_place_names_are_searchable(self, backend, corpus):
        assert set(self.ids(backend, ListingQuery(q="телефоны"))) == corpus.ids("iphone", "samsung", "redmi")
        assert set(self.ids(backend, ListingQuery(q="грузовики самарканд"))) == set()
        assert set(self.ids(backend, ListingQuery(q="легковые самарканд"))) == corpus.ids("nexia", "spark")

    def test_text_nothing_matching_gives_nothing(self, backend, corpus):
        assert self.ids(backend, ListingQuery(q="вертолёт")) == []
        assert backend.compute_summary(ListingQuery(q="вертолёт")).total == 0

    # --- filters --------------------------------------------------------------------------------------
    def test_a_category_means_its_subtree(self, backend, corpus):
        assert set(self.ids(backend, self.at(corpus, "transport"))) == corpus.ids(
            "cobalt19", "cobalt16", "nexia", "camry", "spark", "isuzu"
        )
        assert set(self.ids(backend, self.at(corpus, "trucks"))) == corpus.ids("isuzu")

    def test_a_location_means_its_subtree(self, backend, corpus):
        assert set(self.ids(backend, self.at(corpus, "transport", "tashkent"))) == corpus.ids(
            "cobalt19", "cobalt16", "camry", "isuzu"
        )
        assert set(self.ids(backend, self.at(corpus, None, "chilanzar"))) == corpus.ids("cobalt16", "isuzu", "redmi")

    def test_options_are_or_within_a_key_and_and_across_keys(self, backend, corpus):
        chevrolet, toyota = corpus.option("make", "chevrolet"), corpus.option("make", "toyota")
        automatic = corpus.option("gearbox", "automatic")
        either = self.at(corpus, "cars", options=(OptionFilter("attrs.make", (chevrolet, toyota)),))
        assert set(self.ids(backend, either)) == corpus.ids("cobalt19", "cobalt16", "camry", "spark")
        both = either.with_group("attrs.gearbox", [automatic])
        assert set(self.ids(backend, both)) == corpus.ids("cobalt19", "camry")

    def test_a_yes_no_attribute_filters_on_yes(self, backend, corpus):
        ac = BOOLEAN + corpus.attributes["ac"].pk
        query = self.at(corpus, "cars", options=(OptionFilter("attrs.ac", (ac,)),))
        assert set(self.ids(backend, query)) == corpus.ids("cobalt19", "camry")

    def test_condition_and_seller_filter(self, backend, corpus):
        new = self.at(corpus, options=(OptionFilter("condition", (CONDITION + 1,)),))
        assert set(self.ids(backend, new)) == corpus.ids("camry", "samsung")
        business = self.at(corpus, options=(OptionFilter("seller", (SELLER + 2,)),))
        assert set(self.ids(backend, business)) == corpus.ids("nexia", "camry", "samsung")

    def test_with_photo_only(self, backend, corpus):
        assert set(self.ids(backend, ListingQuery(with_photo=True))) == corpus.ids("cobalt19", "nexia", "iphone")

    def test_numeric_ranges_are_inclusive_and_open_ended(self, backend, corpus):
        query = self.at(corpus, "cars", ranges=(RangeFilter("year", 2016, 2019),))
        assert set(self.ids(backend, query)) == corpus.ids("cobalt19", "cobalt16", "nexia")
        newer = self.at(corpus, "cars", ranges=(RangeFilter("year", 2019, None),))
        assert set(self.ids(backend, newer)) == corpus.ids("cobalt19", "camry")

    def test_price_ranges_compare_across_currencies(self, backend, corpus):
        # 12 500 USD is 158 125 000 sum at the stored rate (12 650): above 100 million.
        query = self.at(corpus, "cars", price_min_uzs=90_000_000, price_max_uzs=200_000_000)
        assert set(self.ids(backend, query)) == corpus.ids("cobalt19", "cobalt16")

    def test_free_listings_cost_nothing(self, backend, corpus):
        query = self.at(corpus, "phones", price_max_uzs=0)
        assert set(self.ids(backend, query)) == corpus.ids("redmi")

    # --- sorts and pages ----------------------------------------------------------------------------------
    def test_newest_first_is_exact(self, backend, corpus):
        ids = self.ids(backend, self.at(corpus, "cars", sort="newest"))
        assert ids == [corpus.listings[n].pk for n in ("cobalt19", "cobalt16", "nexia", "camry", "spark")]

    def test_price_sorts_compare_across_currencies(self, backend, corpus):
        cheap_first = [corpus.listings[n].pk for n in ("spark", "nexia", "cobalt16", "cobalt19", "camry")]
        assert self.ids(backend, self.at(corpus, "cars", sort="price_asc")) == cheap_first
        assert self.ids(backend, self.at(corpus, "cars", sort="price_desc")) == cheap_first[::-1]

    def test_relevance_prefers_title_matches(self, backend, corpus):
        ids = self.ids(backend, ListingQuery(q="chevrolet", sort="relevance"))
        assert set(ids[:3]) == corpus.ids("cobalt19", "cobalt16", "spark")

    @pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "relevance"])
    def test_pages_are_stable_and_disjoint(self, backend, corpus, sort):
        query = ListingQuery(sort=sort)
        everything = backend.ids(query, offset=0, limit=ALL)
        pages = [backend.ids(query, offset=offset, limit=2) for offset in range(0, len(everything) + 2, 2)]
        assert [pk for page in pages for pk in page] == everything
        assert len(set(everything)) == len(everything) == len(VISIBLE)

    # --- facets ---------------------------------------------------------------------------------------------
    def test_facets_count_categories_places_options_and_prices(self, backend, corpus):
        facets = backend.compute_summary(self.at(corpus, "transport")).facets
        assert facets.values[CATEGORY + corpus.categories["cars"].pk] == 5
        assert facets.values[CATEGORY + corpus.categories["trucks"].pk] == 1
        assert facets.values[LOCATION + corpus.locations["tashkent"].pk] == 4
        assert facets.values[corpus.option("make", "chevrolet")] == 3
        assert facets.values[PHOTO] == 2
        assert sum(facets.price.values()) == 6

    def test_a_selected_groups_counts_ignore_its_own_filter(self, backend, corpus):
        chevrolet = corpus.option("make", "chevrolet")
        query = self.at(corpus, "cars", options=(OptionFilter("attrs.make", (chevrolet,)),))
        facets = backend.compute_summary(query).facets
        assert facets.for_group("attrs.make")[corpus.option("make", "toyota")] == 1
        assert facets.values.get(corpus.option("make", "toyota"), 0) == 0

    @pytest.mark.parametrize(
        "case",
        ["everything", "cars", "chevrolet", "two_keys", "text", "place_and_price", "new_phones", "year_and_photo"],
    )
    def test_each_facet_count_equals_the_total_after_applying_it(self, backend, corpus, case):
        chevrolet, toyota = corpus.option("make", "chevrolet"), corpus.option("make", "toyota")
        queries = {
            "everything": ListingQuery(),
            "cars": self.at(corpus, "cars"),
            "chevrolet": self.at(corpus, "cars", options=(OptionFilter("attrs.make", (chevrolet,)),)),
            "two_keys": self.at(
                corpus,
                "cars",
                options=(
                    OptionFilter("attrs.gearbox", (corpus.option("gearbox", "manual"),)),
                    OptionFilter("attrs.make", (chevrolet, toyota)),
                ),
            ),
            "text": ListingQuery(q="chevrolet"),
            "place_and_price": self.at(corpus, "transport", "tashkent", price_min_uzs=50_000_000),
            "new_phones": self.at(corpus, "phones", options=(OptionFilter("condition", (CONDITION + 1,)),)),
            "year_and_photo": self.at(corpus, "cars", ranges=(RangeFilter("year", 2017, None),), with_photo=True),
        }
        query = queries[case]
        summary = backend.compute_summary(query)
        assert summary.total == len(self.ids(backend, query))
        checked = 0
        groups = {option.group for option in query.options}
        for value, count in summary.facets.values.items():
            applied = self._apply(corpus, query, value)
            if applied is None or corpus.group_of(value) in groups:
                continue
            assert count == self.total(backend, applied), f"facet value {value}"
            checked += 1
        for group, counts in summary.facets.by_group.items():
            for value, count in counts.items():
                if corpus.group_of(value) != group:
                    continue  # by_group may carry other values too; only its own are meaningful
                assert count == self.total(backend, query.with_group(group, [value])), f"{group}={value}"
                checked += 1
        for bucket, count in summary.facets.price.items():
            low, high = price_bucket_bounds(bucket)
            applied = replace(query, price_min_uzs=low, price_max_uzs=high)
            assert count == self.total(backend, applied), f"price bucket {bucket}"
            checked += 1
        assert checked, "the query must have facets to check"

    def _apply(self, corpus: Corpus, query: ListingQuery, value: int) -> ListingQuery | None:
        """``query`` narrowed by facet value ``value`` (None for values that do not narrow it)."""
        if value == PHOTO:
            return replace(query, with_photo=True)
        if CATEGORY < value < LOCATION:
            category = Category.objects.get(pk=value - CATEGORY)
            if query.category_id is not None and query.category_id not in category.path[:-1]:
                return None  # the current category or an ancestor: not a narrowing
            return replace(query, category_id=category.pk, category_is_leaf=category.is_leaf)
        if LOCATION < value < CONDITION:
            place = Location.objects.get(pk=value - LOCATION)
            if query.location_id is not None and query.location_id not in place.path[:-1]:
                return None
            return replace(query, location_id=place.pk, location_is_region=place.parent_id is None)
        group = corpus.group_of(value)
        return query.with_group(group, [value]) if group else None

    def test_price_buckets_follow_the_ladder(self, backend, corpus):
        prices = backend.compute_summary(self.at(corpus, "phones")).facets.price
        # free (0), 5.5 and 9 million sum
        assert {bucket: count for bucket, count in prices.items() if count} == {1: 1, 5: 2}
        assert PRICE_LADDER[4] <= 5_500_000 < PRICE_LADDER[5]
