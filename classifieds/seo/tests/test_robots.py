"""robots.txt: private paths off limits in both languages, seller pages crawlable."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(client):
    body = client.get("/robots.txt").content.decode()
    return [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("Disallow: ")]


def blocked(rules: list[str], path: str) -> bool:
    """Google's matching: a rule is a prefix where ``*`` matches anything."""
    return any(re.match(re.escape(rule).replace(r"\*", ".*"), path) for rule in rules)


@pytest.mark.parametrize("prefix", ["", "/uz"])
def test_private_pages_are_disallowed_in_both_languages(rules, prefix):
    for path in ["/auth/otp/", "/u/profile/", "/u/listings/", "/u/promote/5/", "/admin/", "/post/", "/saved/"]:
        assert blocked(rules, prefix + path), prefix + path


@pytest.mark.parametrize("path", ["/u/42/", "/uz/u/42/", "/l/5-cobalt/", "/c/transport/"])
def test_public_pages_and_seller_pages_are_crawlable(rules, path):
    assert not blocked(rules, path)


def test_phone_reveal_urls_are_disallowed(rules):
    assert blocked(rules, "/l/5/phone/")
