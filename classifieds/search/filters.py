"""The search form: a django-filter FilterSet generated from the category's attribute schema.

It validates and renders the SRP parameters (``q``, ``price_min``/``price_max`` +
``currency``, ``condition``, ``attrs.<key>``, ``attrs.<key>_min``/``_max``,
``photo``, ``seller``, ``sort``, and "near me": ``lat``/``lon`` from the browser or ``near``, a
place's slug, with ``radius`` in km); ``listing_query`` turns what is valid into a
``ListingQuery`` for the backend, which does the querying. Malformed values
become form errors and are left out; unknown parameters and options are ignored.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from classifieds.listings.models import Currency, ExchangeRate, Listing
from classifieds.taxonomy.models import Attribute, Category, Location
from classifieds.taxonomy.snapshot import taxonomy_snapshot

from .query import BOOLEAN, CONDITION_VALUES, RADII_KM, SELLER_VALUES, ListingQuery, OptionFilter, RangeFilter
from .text import clean_query

MAX_VALUES_PER_KEY = 50
MAX_AMOUNT = Decimal("1e13")
SORT_CHOICES = [
    ("relevance", _("Most relevant")),
    ("newest", _("Newest first")),
    ("price_asc", _("Cheapest first")),
    ("price_desc", _("Most expensive first")),
    ("distance", _("Nearest first")),
]
RADIUS_CHOICES = [(str(km), format_lazy("{km} {unit}", km=km, unit=_("km"))) for km in RADII_KM]
SELLER_CHOICES = [("private", _("Private person")), ("business", _("Business"))]
YES = "yes"


class BaseListingFilterSet(django_filters.FilterSet):
    """The filters every SRP has; attribute filters are added per category by ``filterset_for``."""

    q = django_filters.CharFilter(label=_("Search"), method="keep")
    price_min = django_filters.NumberFilter(label=_("Price from"), min_value=0, max_value=MAX_AMOUNT, method="keep")
    price_max = django_filters.NumberFilter(label=_("to"), min_value=0, max_value=MAX_AMOUNT, method="keep")
    currency = django_filters.ChoiceFilter(
        label=_("Currency"), choices=Currency.choices, empty_label=None, method="keep"
    )
    condition = django_filters.MultipleChoiceFilter(
        label=_("Condition"), choices=Listing.Condition.choices, widget=forms.CheckboxSelectMultiple, method="keep"
    )
    photo = django_filters.BooleanFilter(label=_("With photo only"), widget=forms.CheckboxInput, method="keep")
    seller = django_filters.ChoiceFilter(
        label=_("Seller"), choices=SELLER_CHOICES, empty_label=_("Anyone"), method="keep"
    )
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=SORT_CHOICES, empty_label=None, method="keep")
    # "Near me": the browser's position (lat/lon, set by a script) or a chosen place (without JS).
    lat = django_filters.NumberFilter(label=_("Latitude"), min_value=-90, max_value=90, method="keep")
    lon = django_filters.NumberFilter(label=_("Longitude"), min_value=-180, max_value=180, method="keep")
    near = django_filters.CharFilter(label=_("Near"), max_length=60, method="keep")
    radius = django_filters.ChoiceFilter(
        label=_("Within"), choices=RADIUS_CHOICES, empty_label=_("Any distance"), method="keep"
    )

    class Meta:
        model = Listing
        fields: list[str] = []

    def keep(self, queryset, name, value):
        """Filtering happens in the search backend; the FilterSet only validates and renders."""
        return queryset

    def get_form_class(self):
        """The form class, built once per FilterSet class (it only depends on the class's filters).

        django-filter builds fields and a form class on every request; the SRP is the busiest page.
        """
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


PRICE_LABELS = {"month": _("Price per month"), "day": _("Price per day"), "hour": _("Price per hour")}


def price_label(category: Category | None) -> str:
    """The price filter's heading: "Price per month" where the category's prices are per month (rent, jobs)."""
    period = category.default_price_period if category is not None else ""
    return str(PRICE_LABELS.get(period, _("Price")))


def attribute_filter_names(attribute: Attribute) -> list[str]:
    if attribute.is_numeric:
        return [f"attrs.{attribute.key}_min", f"attrs.{attribute.key}_max"]
    return [f"attrs.{attribute.key}"]


def filterset_for(schema: list[Attribute], *, cache: dict | None = None, key=None) -> type[BaseListingFilterSet]:
    """A FilterSet class with a filter for each filterable attribute of ``schema`` (kept in ``cache[key]``)."""
    if cache is not None and key in cache:
        return cache[key]
    declared: dict[str, django_filters.Filter] = {}
    for attribute in schema:
        if not attribute.filterable:
            continue
        name = f"attrs.{attribute.key}"
        if attribute.has_options:
            choices = [(option.value, option.label) for option in attribute.options.all()]
            declared[name] = django_filters.MultipleChoiceFilter(
                label=attribute.label, choices=choices, widget=forms.CheckboxSelectMultiple, method="keep"
            )
        elif attribute.type == Attribute.Type.BOOLEAN:
            declared[name] = django_filters.MultipleChoiceFilter(
                label=attribute.label, choices=[(YES, _("yes"))], widget=forms.CheckboxSelectMultiple, method="keep"
            )
        elif attribute.is_numeric:
            bounds = {"min_value": attribute.min_value, "max_value": attribute.max_value}
            bounds = {k: v for k, v in bounds.items() if v is not None}
            unit = f", {attribute.unit}" if attribute.unit else ""
            declared[f"{name}_min"] = django_filters.NumberFilter(
                label=f"{attribute.label}{unit}", method="keep", **bounds
            )
            declared[f"{name}_max"] = django_filters.NumberFilter(label=_("to"), method="keep", **bounds)
    filterset = type("ListingFilterSet", (BaseListingFilterSet,), declared)
    if cache is not None:
        cache[key] = filterset
    return filterset


def bind_filterset(category: Category | None, params: QueryDict) -> tuple[BaseListingFilterSet, list[Attribute]]:
    """The category's FilterSet bound to the cleaned ``params``, and the schema it was built from.

    One place for the SRP and for saved searches, so an alert runs exactly the SRP's query.
    """
    from django.conf import settings
    from django.utils.translation import get_language

    snapshot = taxonomy_snapshot()
    language = get_language() or settings.LANGUAGE_CODE
    schema = snapshot.schema(category) if category else []
    filterset_class = filterset_for(
        schema, cache=snapshot.derived, key=("filterset", category.pk if category else None, language)
    )
    return filterset_class(clean_params(params, filterset_class), queryset=Listing.objects.none()), schema


def clean_params(params: QueryDict, filterset_class: type[BaseListingFilterSet]) -> QueryDict:
    """Only known parameters, known options (unknown ones silently dropped), a tidy ``q``."""
    data = QueryDict(mutable=True)
    filters = filterset_class.base_filters
    for name, flt in filters.items():
        values = [v for v in params.getlist(name) if v != ""]
        if not values:
            continue
        if isinstance(flt, django_filters.MultipleChoiceFilter):
            known = {str(value) for value, _label in flt.extra["choices"]}
            data.setlist(name, list(dict.fromkeys(v for v in values if v in known))[:MAX_VALUES_PER_KEY])
        elif name == "q":
            text = clean_query(values[0])
            if text:
                data[name] = text
        else:
            data[name] = values[0][:40]
    return data


def default_sort(params: QueryDict) -> str:
    """Relevance for a text search, else nearest first around a chosen place or position, else newest."""
    if params.get("q"):
        return "relevance"
    if params.get("near") or (params.get("lat") and params.get("lon")):
        return "distance"
    return "newest"


def tidy_pairs(params: QueryDict) -> list[tuple[str, str]]:
    """``params`` without empty values and defaults (what a submitted form adds needlessly)."""
    has_price = bool(params.get("price_min") or params.get("price_max"))
    pairs = []
    for name, values in params.lists():
        for value in values:
            if value == "":
                continue
            if name == "currency" and (not has_price or value == Currency.UZS):
                continue
            if name == "sort" and value == default_sort(params):
                continue
            if name == "page" and value == "1":
                continue
            pairs.append((name, value))
    return pairs


def valid_params(filterset: BaseListingFilterSet) -> QueryDict:
    """The parameters that passed validation, tidied: what links and chips are built from."""
    form = filterset.form
    form.is_valid()
    params = QueryDict(mutable=True)
    for name, values in filterset.data.lists():
        if name in form.errors:
            continue
        if name == "photo":
            if form.cleaned_data.get("photo"):
                params["photo"] = "1"
            continue
        params.setlist(name, values)
    tidy = QueryDict(mutable=True)
    for name, value in tidy_pairs(params):
        tidy.appendlist(name, value)
    return tidy


def listing_query(
    filterset: BaseListingFilterSet,
    *,
    schema: list[Attribute],
    category: Category | None,
    location: Location | None,
    page: int = 1,
) -> ListingQuery:
    """The valid part of the form as a ListingQuery (invalid fields are left out)."""
    form = filterset.form
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    q = data.get("q") or ""
    options: list[OptionFilter] = []
    ranges: list[RangeFilter] = []
    conditions = data.get("condition") or []
    if conditions:
        options.append(OptionFilter("condition", tuple(sorted(CONDITION_VALUES[c] for c in conditions))))
    if data.get("seller"):
        options.append(OptionFilter("seller", (SELLER_VALUES[data["seller"]],)))
    for attribute in schema:
        if not attribute.filterable:
            continue
        key = f"attrs.{attribute.key}"
        if attribute.has_options and data.get(key):
            by_value = {option.value: option.pk for option in attribute.options.all()}
            ids = tuple(sorted(by_value[v] for v in data[key] if v in by_value))
            if ids:
                options.append(OptionFilter(key, ids))
        elif attribute.type == Attribute.Type.BOOLEAN and data.get(key):
            options.append(OptionFilter(key, (BOOLEAN + attribute.pk,)))
        elif attribute.is_numeric:
            low, high = data.get(f"{key}_min"), data.get(f"{key}_max")
            if low is not None or high is not None:
                ranges.append(RangeFilter(attribute.key, float(low) if low is not None else None, _float(high)))
    price_min, price_max = data.get("price_min"), data.get("price_max")
    rate = Decimal(1)
    if (price_min is not None or price_max is not None) and data.get("currency") == Currency.USD:
        rate = ExchangeRate.objects.rate_for(Currency.USD)
    near = _origin(data)
    radius = int(data["radius"]) if data.get("radius") and near is not None else None
    sort = data.get("sort") or ("relevance" if q else "distance" if near is not None else "newest")
    if sort == "distance" and near is None:  # nothing to measure from: the default order
        sort = "relevance" if q else "newest"
    return ListingQuery(
        q=q,
        category_id=category.pk if category else None,
        category_is_leaf=bool(category and category.is_leaf),
        location_id=location.pk if location else None,
        location_is_region=bool(location and location.parent_id is None),
        options=tuple(sorted(options, key=lambda f: f.group)),
        ranges=tuple(sorted(ranges, key=lambda r: r.key)),
        price_min_uzs=int(price_min * rate) if price_min is not None else None,
        price_max_uzs=int(price_max * rate) if price_max is not None else None,
        with_photo=bool(data.get("photo")),
        sort=sort,
        page=page,
        near=near,
        radius_km=radius,
    )


def _origin(data: dict) -> tuple[float, float] | None:
    """Where "near me" measures from: the browser's position, else the chosen place's centre (else none)."""
    lat, lon = data.get("lat"), data.get("lon")
    if lat is not None and lon is not None:
        return float(lat), float(lon)
    slug = data.get("near")
    place = taxonomy_snapshot().location_by_slug(slug, get_language()) if slug else None
    if place is not None:
        for node in [place, *reversed(taxonomy_snapshot().ancestors(place))]:
            if node.lat is not None and node.lon is not None:
                return float(node.lat), float(node.lon)
    return None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
