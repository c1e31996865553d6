"""Django's ``{# … #}`` comment is one line only: spread over two, it is printed on the page as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOTS = [Path(settings.BASE_DIR) / "templates", *sorted((Path(settings.BASE_DIR) / "classifieds").glob("*/templates"))]
TEMPLATES = sorted(path for root in ROOTS for path in root.rglob("*.html"))
# A ``{#`` not closed by ``#}`` on the same line.
UNCLOSED = re.compile(r"\{#(?:(?!#\}).)*$")


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50
    assert Path(settings.BASE_DIR) / "templates" / "components" / "header.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_comment_is_spread_over_lines(template):
    unclosed = [
        f"{template.name}:{number}: {line.strip()}"
        for number, line in enumerate(template.read_text().splitlines(), start=1)
        if UNCLOSED.search(line)
    ]
    assert not unclosed, "use {% comment %}…{% endcomment %} for a comment of several lines: " + "; ".join(unclosed)


def test_the_check_finds_a_comment_spread_over_lines():
    assert UNCLOSED.search("    {# Unread messages come first: on a phone the row")
    assert not UNCLOSED.search("{# one line #} <p>{{ x }}</p>")
    assert not UNCLOSED.search('<a href="#">{# a #} b</a>')
