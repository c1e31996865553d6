"""The results page's long lists built in Python: the same markup the template wrote, escaped."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from classifieds.search.facets import FacetGroup, FacetOption


def render(source: str, **context) -> str:
    return Template("{% load facet_tags %}" + source).render(Context(context))


class TestFacetOptionItems:
    def test_checkboxes_with_counts_checked_and_disabled_states(self):
        group = FacetGroup(
            name="attrs.make",
            label="Make",
            options=[
                FacetOption("chevrolet", "Chevrolet", 12345, selected=True),
                FacetOption("bmw", "BMW", 0),
                FacetOption("kia", "Kia", 0, selected=True),
            ],
        )
        html = render("{% facet_option_items group group.options False %}", group=group)
        assert html == (
            '<li><label class="facet-option"><input type="checkbox" name="attrs.make" value="chevrolet" checked>'
            ' Chevrolet <span class="facet-count">12\u202f345</span></label></li>'
            '<li><label class="facet-option is-disabled"><input type="checkbox" name="attrs.make" value="bmw"'
            ' disabled> BMW <span class="facet-count">0</span></label></li>'
            # selected with nothing left to find: still checked, never disabled (the buyer must be able to untick it)
            '<li><label class="facet-option"><input type="checkbox" name="attrs.make" value="kia" checked>'
            ' Kia <span class="facet-count">0</span></label></li>'
        )

    def test_radio_groups_and_approximate_counts(self):
        group = FacetGroup(name="seller", label="Seller", kind="radio", options=[FacetOption("private", "Private", 7)])
        html = render("{% facet_option_items group group.options True %}", group=group)
        assert '<input type="radio" name="seller" value="private">' in html
        assert '<span class="facet-count">≈ 7</span>' in html

    def test_labels_and_values_are_escaped(self):
        group = FacetGroup(name="attrs.x", label="X", options=[FacetOption('a"b', "<script>alert(1)</script>", 1)])
        html = render("{% facet_option_items group group.options False %}", group=group)
        assert 'value="a&quot;b"' in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


class TestNearPlaceOptions:
    def test_one_optgroup_per_region_with_the_chosen_place_selected(self):
        tashkent = SimpleNamespace(slug="tashkent", name="Ташкент")
        region = SimpleNamespace(slug="tashkent-region", name="Ташкентская <область>")
        chirchiq = SimpleNamespace(slug="chirchiq", name="Чирчик")
        html = render(
            "{% near_place_options places chosen %}", places=[(tashkent, []), (region, [chirchiq])], chosen="chirchiq"
        )
        assert html == (
            '<optgroup label="Ташкент"><option value="tashkent">Ташкент</option></optgroup>'
            '<optgroup label="Ташкентская &lt;область&gt;"><option value="tashkent-region">Ташкентская &lt;область&gt;'
            '</option><option value="chirchiq" selected>Чирчик</option></optgroup>'
        )

    def test_built_once_per_language_and_chosen_place_while_the_places_last(self):
        from django.utils import translation

        class Place(SimpleNamespace):
            reads = 0

            @property
            def name(self):
                Place.reads += 1
                return {"ru": "Самарканд", "uz": "Samarqand"}[translation.get_language()]

        places = [(Place(slug="samarkand"), [])]
        cache: dict = {}
        source = "{% near_place_options places chosen cache %}"
        with translation.override("ru"):
            first = render(source, places=places, chosen=None, cache=cache)
            assert render(source, places=places, chosen=None, cache=cache) == first
            assert Place.reads == 2  # the group's label and its option, read once
            chosen = render(source, places=places, chosen="samarkand", cache=cache)
            assert 'value="samarkand" selected' in chosen and "selected" not in first
        with translation.override("uz"):
            assert "Samarqand" in render(source, places=places, chosen=None, cache=cache)
        assert Place.reads == 6
        assert len([key for key in cache if key[0] == "near-place-options"]) == 3

    @pytest.mark.django_db
    def test_the_results_page_builds_it_from_its_snapshot(self, client):
        from classifieds.taxonomy.snapshot import taxonomy_snapshot
        from classifieds.taxonomy.tests.factories import LocationFactory

        LocationFactory(name_ru="Бухара", slug="buxoro")
        response = client.get("/search/")
        assert '<option value="buxoro">Бухара</option>' in response.content.decode()
        cached = [key for key in taxonomy_snapshot().derived if key[0] == "near-place-options"]
        assert cached == [("near-place-options", "ru", "")]
        # A made-up place selects nothing and is not kept apart.
        for made_up in ("nowhere-" + "x" * 50, "somewhere-else"):
            page = client.get(f"/search/?near={made_up}").content.decode()
            assert "<select" in page and " selected>" not in page.split('id="id_near"')[1].split("</select>")[0]
        cached = [key for key in taxonomy_snapshot().derived if key[0] == "near-place-options"]
        assert cached == [("near-place-options", "ru", "")]
