"""The results page's long lists (facet options, the "near" places), built in Python.

A car category shows ~180 facet options and every page offers ~70 places: rendered with template
loops they were half of a results page's render time (docs/load-benchmark.md). The markup is the
same as the template's, escaped by ``format_html``.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from classifieds.core.templatetags.bozor import count

from ..facets import FacetGroup, FacetOption

register = template.Library()


@register.simple_tag
def facet_option_items(group: FacetGroup, options: list[FacetOption], approximate: bool) -> SafeString:
    """``<li>`` checkboxes (or radio buttons) of ``options``, each with its count, disabled when it finds nothing."""
    kind = "radio" if group.kind == "radio" else "checkbox"
    about = "≈ " if approximate else ""
    return format_html_join(
        "",
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
def near_place_options(near_places: list, chosen: str | None) -> SafeString:
    """``<optgroup>`` per region: the region itself, then its cities; ``chosen`` (a slug) is selected."""

    def options(places: list) -> SafeString:
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((place.slug, " selected" if chosen == place.slug else "", place.name) for place in places),
        )

    return format_html_join(
        "",
        '<optgroup label="{}">{}</optgroup>',
        ((region.name, options([region, *cities])) for region, cities in near_places),
    )
