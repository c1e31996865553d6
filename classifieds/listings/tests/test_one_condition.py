"""A listing has one "condition": its own column (search facets, the SRP's ``condition``), not also an attribute."""

from __future__ import annotations

from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings import services
from classifieds.listings.models import Listing, ListingAttributeValue
from classifieds.taxonomy.models import Attribute, Category
from classifieds.taxonomy.tests.factories import AttributeFactory, AttributeOptionFactory, CategoryFactory

from .factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_the_phone_form_on_the_shipped_catalog_asks_for_condition_once(client):
    call_command("load_catalog", stdout=StringIO())
    seller = UserFactory()
    client.force_login(seller)
    draft = services.listing_create_draft(owner=seller, category=Category.objects.get(slug_ru="telefony-samsung"))
    html = client.get(f"/post/details/?draft={draft.pk}").content.decode()
    assert html.count('name="condition"') == 1
    assert "Состояние устройства" not in html and 'name="attrs-state"' not in html


def test_the_srp_condition_filter_still_finds_phones(client):
    call_command("load_catalog", stdout=StringIO())
    samsung = Category.objects.get(slug_ru="telefony-samsung")
    ListingFactory(category=samsung, title="Galaxy S23 новый", condition=Listing.Condition.NEW)
    ListingFactory(category=samsung, title="Galaxy S21 б/у", condition=Listing.Condition.USED)
    html = client.get(f"/c/{samsung.slug}/", {"condition": "new"}).content.decode()
    assert "Galaxy S23 новый" in html and "Galaxy S21 б/у" not in html


class TestTheMigration:
    """Databases loaded before: the phones' "state" values move into the listing's condition, the attribute goes."""

    @pytest.fixture
    def old_phones(self):
        phones = CategoryFactory(name="Телефоны", slug="telefony")
        state = AttributeFactory(
            category=phones, key="state", label_ru="Состояние устройства", type=Attribute.Type.CHOICE
        )
        options = {
            value: AttributeOptionFactory(attribute=state, value=value, label_ru=value)
            for value in ("new", "like-new", "for-parts")
        }
        return phones, state, options

    def run(self):
        import_module("classifieds.listings.migrations.0006_one_condition").merge_state_into_condition(apps, None)

    def test_state_fills_an_empty_condition_and_never_overrides_one(self, old_phones):
        phones, state, options = old_phones
        boxed = ListingFactory(category=phones, condition="")
        worn = ListingFactory(category=phones, condition="")
        said_used = ListingFactory(category=phones, condition=Listing.Condition.USED)
        for listing, option in ((boxed, "new"), (worn, "for-parts"), (said_used, "like-new")):
            ListingAttributeValue.objects.create(listing=listing, attribute=state, option=options[option])

        self.run()

        assert {x.pk: x.condition for x in Listing.objects.filter(category=phones)} == {
            boxed.pk: "new",
            worn.pk: "used",
            said_used.pk: "used",
        }
        assert not Attribute.objects.filter(pk=state.pk).exists()
        assert not ListingAttributeValue.objects.filter(attribute_id=state.pk).exists()
        reindexed = set(Event.objects.filter(topic="search.reindex").values_list("subject_id", flat=True))
        assert {str(boxed.pk), str(worn.pk), str(said_used.pk)} <= reindexed

    def test_it_leaves_other_categories_alone(self):
        other = AttributeFactory(category=CategoryFactory(slug="chasy"), key="state", type=Attribute.Type.TEXT)
        self.run()
        assert Attribute.objects.filter(pk=other.pk).exists()
