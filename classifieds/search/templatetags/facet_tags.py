"""The results page's long lists (facet options, the "near" places), built in Python.

A car category shows ~180 facet options and every page offers ~70 places: rendered with template
loops they were half of a results page's render time (docs/load-benchmark.md). The markup is the
same as the template's, escaped as ``format_html`` does (``classifieds.core.html``).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from classifieds.core.html import format_html_rows
from classifieds.core.templatetags.bozor import count

from ..facets import FacetGroup, FacetOption

register = template.Library()


@register.simple_tag
def facet_option_items(group: FacetGroup, options: list[FacetOption], approximate: bool) -> SafeString:
    """``<li>`` checkboxes (or radio buttons) of ``options``, each with its count, disabled when it finds nothing."""
    kind = "radio" if group.kind == "radio" else "checkbox"
    about = "≈ " if approximate else ""
    return format_html_rows(
        '<li><label class="facet-option{}"><input type="{}" name="{}" value="{}"{}{}> {} '
        '<span class="facet-count">{}{}</span></label></li>',
        (
            (
                " is-disabled" if option.disabled else "",
                kind,
                group.name,
                option.value,
                " checked" if option.selected else "",
                " disabled" if option.disabled else "",
                option.label,
                about,
                count(option.count),
            )
            for option in options
        ),
    )


@register.simple_tag
def near_place_options(near_places: list, chosen: str | None, cache: dict | None = None) -> SafeString:
    """``<optgroup>`` per region: the region itself, then its cities; ``chosen`` (a slug) is selected.

    ``cache``: a dict that lives as long as the places do (the taxonomy snapshot's ``derived``): the
    list is the same on every results page for a language and a chosen place, so it is built once.
    """
    if cache is None:
        return _near_place_options(near_places, chosen)
    slugs = cache.get(("near-place-slugs",))
    if slugs is None:
        slugs = cache[("near-place-slugs",)] = {
            place.slug for region, cities in near_places for place in (region, *cities)
        }
    # Any other ?near= selects nothing, as no choice does: one entry for all of them, so a visitor's
    # made-up values cannot grow the cache.
    key = ("near-place-options", get_language(), chosen if chosen in slugs else "")
    html = cache.get(key)
    if html is None:
        html = cache[key] = _near_place_options(near_places, chosen)
    return html


def _near_place_options(near_places: list, chosen: str | None) -> SafeString:
    def options(places: list) -> SafeString:
        return format_html_rows(
            '<option value="{}"{}>{}</option>',
            ((place.slug, " selected" if chosen == place.slug else "", place.name) for place in places),
        )

    return format_html_rows(
        '<optgroup label="{}">{}</optgroup>',
        ((region.name, options([region, *cities])) for region, cities in near_places),
    )
