"""``classifieds.core.html`` gives exactly what Django's ``format_html`` and ``format_html_join`` give."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override

from classifieds.core.html import escape_value, format_html_fast, format_html_rows

VALUES = [
    "plain",
    "<script>alert('x')</script> & \"quotes\"",
    mark_safe("<b>already safe</b>"),  # noqa: S308  (a literal)
    gettext_lazy("Price"),
    42,
    3.5,
    None,
    "",
    "≈ 1 234 ёЎқ",
]


def test_each_value_is_escaped_as_conditional_escape_does():
    from django.utils.html import conditional_escape

    with override("ru"):
        for value in VALUES:
            assert escape_value(value) == conditional_escape(value), value


def test_rows_match_format_html_join_and_are_safe():
    rows = [(value, i, value) for i, value in enumerate(VALUES)]
    with override("uz"):
        ours = format_html_rows('<li data-x="{}">{}: {}</li>', rows)
        assert ours == format_html_join("", '<li data-x="{}">{}: {}</li>', rows)
    assert isinstance(ours, SafeString)
    assert "&lt;script&gt;" in ours and "<b>already safe</b>" in ours and "&#x27;x&#x27;" in ours


def test_one_format_with_positional_and_named_fields_matches_format_html():
    for value in VALUES:
        ours = format_html_fast('<a href="{url}" title="{}">{}</a>', value, value, url=value)
        assert ours == format_html('<a href="{url}" title="{}">{}</a>', value, value, url=value)
        assert isinstance(ours, SafeString)
