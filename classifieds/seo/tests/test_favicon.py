"""/favicon.ico: browsers ask for it on every page that names no icon (Admin, images, JSON), so it must exist."""

from __future__ import annotations

import pytest
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/logo.svg")
    assert "max-age=86400" in response["Cache-Control"]  # not permanent: the hashed name changes with the icon


def test_the_site_icon_it_leads_to_is_served(client):
    icon = client.get(client.get("/favicon.ico")["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)


def test_favicon_ico_has_no_language_prefix_and_only_answers_get(client):
    assert client.get("/uz/favicon.ico").status_code == 404
    assert client.post("/favicon.ico").status_code == 405
