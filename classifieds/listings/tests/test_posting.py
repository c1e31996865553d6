"""The posting wizard: category → details (+ attributes, location) → review → submit, with JS and without."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings import policies, services
from classifieds.listings.models import Listing
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import (
    AttributeFactory,
    AttributeOptionFactory,
    CategoryFactory,
    LocationFactory,
)

from .factories import ListingFactory

pytestmark = pytest.mark.django_db

POST = "/post/"
DETAILS = "/post/details/"
REVIEW = "/post/review/"


def htmx(target: str) -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}


@pytest.fixture
def catalog():
    phones = CategoryFactory(name_ru="Телефоны", name_uz="Telefonlar", slug="telefony")
    apple = CategoryFactory(parent=phones, name_ru="Apple", name_uz="Apple", slug="telefony-apple")
    samsung = CategoryFactory(parent=phones, name_ru="Samsung", name_uz="Samsung", slug="telefony-samsung")
    model = AttributeFactory(category=apple, key="model", label_ru="Модель", type=Attribute.Type.CHOICE, required=True)
    AttributeOptionFactory(attribute=model, value="iphone-15", label_ru="iPhone 15", label_uz="iPhone 15")
    AttributeOptionFactory(attribute=model, value="iphone-14", label_ru="iPhone 14", label_uz="iPhone 14")
    memory = AttributeFactory(
        category=phones, key="memory", label_ru="Память", type=Attribute.Type.INTEGER, min_value=1, max_value=2048
    )
    tashkent = LocationFactory(name_ru="Ташкент", name_uz="Toshkent", slug="tashkent", kind="region")
    yunusabad = LocationFactory(parent=tashkent, name_ru="Юнусабад", name_uz="Yunusobod", slug="yunusabad")
    chilanzar = LocationFactory(parent=tashkent, name_ru="Чиланзар", name_uz="Chilonzor", slug="chilanzar")
    samarkand = LocationFactory(name_ru="Самарканд", name_uz="Samarqand", slug="samarkand", kind="region")
    urgut = LocationFactory(parent=samarkand, name_ru="Ургут", name_uz="Urgut", slug="urgut")
    return {
        "phones": phones,
        "apple": apple,
        "samsung": samsung,
        "model": model,
        "memory": memory,
        "tashkent": tashkent,
        "yunusabad": yunusabad,
        "chilanzar": chilanzar,
        "samarkand": samarkand,
        "urgut": urgut,
    }


@pytest.fixture
def seller():
    return UserFactory(phone="+998901112233")


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


@pytest.fixture
def draft(seller, catalog):
    return services.listing_create_draft(owner=seller, category=catalog["apple"])


def complete_details(catalog, **overrides) -> dict:
    data = {
        "title": "iPhone 15 128GB, как новый",
        "description": "Полный комплект, коробка, чек. Батарея 98%.",
        "price_type": "amount",
        "price": "9500000",
        "currency": "UZS",
        "condition": "used",
        "region": str(catalog["tashkent"].pk),
        "city": str(catalog["yunusabad"].pk),
        "district": "",
        "contact_phone": "90 111 22 33",
        "attrs-model": "iphone-15",
        "attrs-memory": "128",
        "action": "next",
    }
    data.update(overrides)
    return data


class TestCategoryStep:
    def test_it_sends_anonymous_visitors_to_sign_in_and_back(self, client, catalog):
        response = client.get(POST)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp")) and "next=/post/" in response["Location"]

    def test_without_js_each_level_of_the_tree_is_a_page(self, signed_in, catalog):
        top = signed_in.get(POST)
        assert top.status_code == 200
        assert f'href="?parent={catalog["phones"].pk}"' in top.content.decode()
        level = signed_in.get(POST, {"parent": catalog["phones"].pk}).content.decode()
        assert "<html" in level
        assert f'name="category" value="{catalog["apple"].pk}"' in level
        assert f'name="category" value="{catalog["samsung"].pk}"' in level

    def test_with_htmx_only_the_next_level_is_swapped_in(self, signed_in, catalog):
        response = signed_in.get(POST, {"parent": catalog["phones"].pk}, **htmx("category-picker"))
        html = response.content.decode()
        assert "<html" not in html and 'id="category-picker"' in html
        assert f'value="{catalog["apple"].pk}"' in html
        assert "HX-Request" in response["Vary"]

    def test_typing_iphone_finds_phones_apple(self, signed_in, catalog):
        html = signed_in.get(POST, {"q": "iphone"}, **htmx("category-picker")).content.decode()
        assert "Телефоны › " in html and "<strong>Apple</strong>" in html
        assert "Samsung" not in html

    def test_choosing_a_leaf_starts_a_draft_and_goes_to_the_details(self, signed_in, seller, catalog):
        response = signed_in.post(POST, {"category": catalog["apple"].pk})
        listing = Listing.objects.get(owner=seller)
        assert listing.status == Listing.Status.DRAFT and listing.category == catalog["apple"]
        assert response.status_code == 302 and response["Location"] == f"{DETAILS}?draft={listing.pk}"
        assert listing.contact_phone == "+998901112233"

    def test_a_double_click_on_a_category_starts_one_draft(self, signed_in, seller, catalog):
        first = signed_in.post(POST, {"category": catalog["apple"].pk})
        second = signed_in.post(POST, {"category": catalog["apple"].pk})
        assert first["Location"] == second["Location"]
        assert Listing.objects.filter(owner=seller).count() == 1

    def test_a_branch_category_cannot_hold_a_listing(self, signed_in, seller, catalog):
        response = signed_in.post(POST, {"category": catalog["phones"].pk})
        assert response.status_code == 302
        assert not Listing.objects.filter(owner=seller).exists()

    def test_changing_the_category_of_a_draft_keeps_the_draft(self, signed_in, draft, catalog):
        response = signed_in.post(f"{POST}?draft={draft.pk}", {"category": catalog["samsung"].pk})
        assert response["Location"] == f"{DETAILS}?draft={draft.pk}"
        draft.refresh_from_db()
        assert draft.category == catalog["samsung"]
        assert Listing.objects.count() == 1


class TestDetailsStep:
    def test_it_renders_the_category_attributes_and_the_account_phone(self, signed_in, draft):
        html = signed_in.get(f"{DETAILS}?draft={draft.pk}").content.decode()
        assert 'name="attrs-model"' in html and "iPhone 15" in html
        assert 'name="attrs-memory"' in html  # inherited from Телефоны
        assert 'value="+998901112233"' in html
        assert 'name="photos"' in html and 'enctype="multipart/form-data"' in html

    def test_another_sellers_draft_is_not_found(self, client, draft):
        client.force_login(UserFactory())
        assert client.get(f"{DETAILS}?draft={draft.pk}").status_code == 404
        assert client.post(f"{DETAILS}?draft={draft.pk}", {"title": "mine now"}).status_code == 404
        assert client.get(f"{REVIEW}?draft={draft.pk}").status_code == 404
        assert client.post(f"{REVIEW}?draft={draft.pk}").status_code == 404
        draft.refresh_from_db()
        assert draft.title == "" and draft.status == Listing.Status.DRAFT

    def test_saving_a_draft_keeps_what_was_typed_without_requiring_anything(self, signed_in, draft, catalog):
        response = signed_in.post(
            f"{DETAILS}?draft={draft.pk}", {"title": "iPhone", "attrs-model": "iphone-14", "action": "save"}
        )
        assert response.status_code == 302 and response["Location"] == f"{DETAILS}?draft={draft.pk}"
        draft.refresh_from_db()
        assert draft.title == "iPhone" and draft.status == Listing.Status.DRAFT
        assert policies.stored_attribute_values(draft) == {"model": "iphone-14"}
        # Back to the step later (a closed tab, the back button): the values are there.
        html = signed_in.get(f"{DETAILS}?draft={draft.pk}").content.decode()
        assert 'value="iPhone"' in html and '<option value="iphone-14" selected>' in html

    def test_a_validation_error_saves_the_valid_fields_and_shows_the_typed_ones(self, signed_in, draft, catalog):
        data = complete_details(catalog, price="lots", **{"attrs-memory": "4096"})
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", data)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="lots"' in html and 'value="4096"' in html
        assert "2048" in html  # "Must be at most 2048."
        draft.refresh_from_db()
        assert draft.title == "iPhone 15 128GB, как новый"
        assert draft.location == catalog["yunusabad"]
        assert policies.stored_attribute_values(draft) == {"model": "iphone-15"}

    def test_required_attributes_are_enforced_on_next(self, signed_in, draft, catalog):
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog, **{"attrs-model": ""}))
        assert response.status_code == 200
        assert "Модель" in response.context["attrs_form"].errors["model"][0]

    def test_options_only_from_the_list(self, signed_in, draft, catalog):
        response = signed_in.post(
            f"{DETAILS}?draft={draft.pk}", complete_details(catalog, **{"attrs-model": "nokia-3310"})
        )
        assert response.status_code == 200
        assert "model" in response.context["attrs_form"].errors

    def test_numbers_must_be_whole_and_in_range(self, signed_in, draft, catalog):
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog, **{"attrs-memory": "1.5"}))
        assert response.context["attrs_form"].errors["memory"]
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog, **{"attrs-memory": "0"}))
        assert response.context["attrs_form"].errors["memory"]

    def test_next_with_everything_valid_goes_to_review(self, signed_in, draft, catalog):
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog))
        assert response.status_code == 302 and response["Location"] == f"{REVIEW}?draft={draft.pk}"
        draft.refresh_from_db()
        assert draft.price == Decimal("9500000") and draft.contact_phone == "+998901112233"
        assert draft.slug.startswith("iphone-15")

    def test_free_listings_need_no_price(self, signed_in, draft, catalog):
        data = complete_details(catalog, price_type="free", price="")
        assert signed_in.post(f"{DETAILS}?draft={draft.pk}", data).status_code == 302

    def test_a_region_with_cities_needs_a_city(self, signed_in, draft, catalog):
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog, city=""))
        assert response.status_code == 200 and response.context["form"].errors["city"]


class TestLocationSelects:
    def test_with_htmx_choosing_a_region_swaps_in_its_cities(self, signed_in, draft, catalog):
        data = {"region": catalog["samarkand"].pk, "action": "refresh", "title": "Typed before"}
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", data, **htmx("location-fields"))
        html = response.content.decode()
        assert "<html" not in html and 'id="location-fields"' in html
        assert "Ургут" in html and "Юнусабад" not in html
        draft.refresh_from_db()
        assert draft.title == "Typed before"  # every change is saved

    def test_without_js_the_refresh_button_shows_the_cities_on_the_page(self, signed_in, draft, catalog):
        data = {"region": catalog["tashkent"].pk, "action": "refresh"}
        html = signed_in.post(f"{DETAILS}?draft={draft.pk}", data).content.decode()
        assert "<html" in html and "Юнусабад" in html and "Чиланзар" in html

    def test_a_city_of_another_region_starts_over_instead_of_failing(self, signed_in, draft, catalog):
        data = {"region": catalog["samarkand"].pk, "city": catalog["yunusabad"].pk, "action": "refresh"}
        response = signed_in.post(f"{DETAILS}?draft={draft.pk}", data)
        assert not response.context["form"].errors
        draft.refresh_from_db()
        assert draft.location == catalog["samarkand"]


class TestSigningInMidWay:
    def test_what_was_posted_while_signed_out_is_kept_for_after_sign_in(self, client, seller, draft, catalog):
        response = client.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog, action="save"))
        assert response.status_code == 302 and reverse("accounts:otp") in response["Location"]
        client.force_login(seller)
        html = client.get(f"{DETAILS}?draft={draft.pk}").content.decode()
        assert "iPhone 15 128GB" in html
        draft.refresh_from_db()
        assert draft.title == "iPhone 15 128GB, как новый" and draft.location == catalog["yunusabad"]


class TestSubmit:
    def ready(self, signed_in, draft, catalog, **overrides):
        assert signed_in.post(f"{DETAILS}?draft={draft.pk}", complete_details(catalog, **overrides)).status_code == 302

    def test_the_review_shows_the_listing_as_buyers_will_see_it(self, signed_in, draft, catalog):
        self.ready(signed_in, draft, catalog)
        html = signed_in.get(f"{REVIEW}?draft={draft.pk}").content.decode()
        assert "iPhone 15 128GB, как новый" in html and "9\u00a0500\u00a0000\u00a0сум" in html and "iPhone 15" in html
        assert "Юнусабад" in html

    def test_submitting_publishes_for_the_category_lifetime_and_notifies_search(self, signed_in, draft, catalog):
        Listing.objects.filter(pk=draft.pk)  # noqa: B018
        catalog["apple"].listing_lifetime_days = 14
        catalog["apple"].save()
        self.ready(signed_in, draft, catalog)
        before = timezone.now()
        response = signed_in.post(f"{REVIEW}?draft={draft.pk}")
        draft.refresh_from_db()
        assert draft.status == Listing.Status.ACTIVE
        assert response["Location"] == draft.get_absolute_url()
        assert timedelta(days=14) <= draft.expires_at - before < timedelta(days=14, minutes=1)
        assert Event.objects.filter(topic="search.reindex", subject_id=str(draft.pk)).exists()
        assert Event.objects.filter(topic="listing.submitted", subject_id=str(draft.pk)).exists()
        assert signed_in.get(draft.get_absolute_url()).status_code == 200

    def test_a_category_under_pre_moderation_sends_it_to_review(self, signed_in, draft, catalog):
        catalog["phones"].requires_moderation = True  # set on the parent, applies to the subtree
        catalog["phones"].save()
        self.ready(signed_in, draft, catalog)
        response = signed_in.post(f"{REVIEW}?draft={draft.pk}")
        draft.refresh_from_db()
        assert draft.status == Listing.Status.PENDING
        assert response["Location"] == "/u/listings/?tab=pending"

    def test_a_double_submit_creates_one_listing(self, signed_in, seller, draft, catalog):
        self.ready(signed_in, draft, catalog)
        first = signed_in.post(f"{REVIEW}?draft={draft.pk}")
        second = signed_in.post(f"{REVIEW}?draft={draft.pk}")
        assert first["Location"] == second["Location"]
        assert Listing.objects.filter(owner=seller).count() == 1
        assert Event.objects.filter(topic="listing.submitted").count() == 1

    def test_an_incomplete_draft_goes_back_to_the_details(self, signed_in, draft):
        response = signed_in.post(f"{REVIEW}?draft={draft.pk}")
        assert response["Location"] == f"{DETAILS}?draft={draft.pk}"
        draft.refresh_from_db()
        assert draft.status == Listing.Status.DRAFT

    def test_the_free_limit_per_category_is_enforced_with_a_clear_message(self, signed_in, seller, draft, catalog):
        catalog["phones"].free_listings_per_30_days = 1
        catalog["phones"].save()
        ListingFactory(owner=seller, category=catalog["samsung"], published_at=timezone.now() - timedelta(days=3))
        self.ready(signed_in, draft, catalog)
        response = signed_in.post(f"{REVIEW}?draft={draft.pk}", follow=True)
        draft.refresh_from_db()
        assert draft.status == Listing.Status.DRAFT
        assert "limit is 1" in response.content.decode() or "лимит" in response.content.decode().lower()

    def test_listings_older_than_30_days_do_not_count_against_the_limit(self, signed_in, seller, draft, catalog):
        catalog["apple"].free_listings_per_30_days = 1
        catalog["apple"].save()
        ListingFactory(owner=seller, category=catalog["apple"], published_at=timezone.now() - timedelta(days=31))
        self.ready(signed_in, draft, catalog)
        signed_in.post(f"{REVIEW}?draft={draft.pk}")
        draft.refresh_from_db()
        assert draft.status == Listing.Status.ACTIVE


class TestEditing:
    def test_editing_a_listing_in_a_moderated_category_sends_it_back_to_review(self, signed_in, seller, catalog):
        catalog["apple"].requires_moderation = True
        catalog["apple"].save()
        listing = ListingFactory(owner=seller, category=catalog["apple"], location=catalog["yunusabad"])
        services.listing_set_attributes(listing=listing, values={"model": "iphone-14"})
        response = signed_in.post(f"{DETAILS}?draft={listing.pk}", complete_details(catalog, title="Новый заголовок"))
        assert response.status_code == 302 and response["Location"] == "/u/listings/"
        listing.refresh_from_db()
        assert listing.title == "Новый заголовок" and listing.status == Listing.Status.PENDING


class TestUzbek:
    def test_the_wizard_speaks_uzbek_under_uz(self, signed_in, draft):
        assert "Toifani tanlang" in signed_in.get("/uz/post/").content.decode()
        html = signed_in.get(f"/uz/post/details/?draft={draft.pk}").content.decode()
        assert "Qoralamani saqlash" in html and "Viloyat" in html
