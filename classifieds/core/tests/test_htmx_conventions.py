"""htmx conventions live in one middleware: Vary, redirects as HX-Redirect, messages out of band."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from classifieds.urls import urlpatterns as site_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "thing"}


def fragment_with_message(request):
    messages.success(request, "Saved the thing.")
    return HttpResponse('<div id="thing">done</div>')


def go_elsewhere(request):
    messages.info(request, "Moved along.")
    return redirect("/saved/")


def page_with_message(request):
    messages.info(request, "Shown on the page.")
    context = {"meta": None, "title": "A page", "message": "body", "next_url": "/"}
    return TemplateResponse(request, "accounts/limited.html", context)


def json_answer(request):
    messages.info(request, "Not for JSON.")
    return HttpResponse('{"ok": true}', content_type="application/json")


urlpatterns = [
    path("t/fragment/", fragment_with_message),
    path("t/redirect/", go_elsewhere),
    path("t/page/", page_with_message),
    path("t/json/", json_answer),
    *site_urlpatterns,
]


class TestRedirects:
    def test_a_redirect_answering_htmx_becomes_hx_redirect(self, client):
        response = client.post("/t/redirect/", **HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/saved/"
        assert not response.has_header("Location")
        assert "HX-Request" in response["Vary"]

    def test_a_plain_or_boosted_request_keeps_its_redirect(self, client):
        assert client.post("/t/redirect/")["Location"] == "/saved/"
        boosted = client.post("/t/redirect/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
        assert boosted.status_code == 302 and boosted["Location"] == "/saved/"

    def test_the_message_of_a_redirect_waits_for_the_page_it_leads_to(self, client):
        client.post("/t/redirect/", **HTMX)
        assert "Moved along." in client.get("/saved/").content.decode()


class TestOutOfBandMessages:
    def test_a_message_added_for_a_fragment_comes_with_the_fragment(self, client):
        html = client.post("/t/fragment/", **HTMX).content.decode()
        assert html.startswith('<div id="thing">done</div>')
        assert 'id="messages"' in html and 'data-hx-swap-oob="true"' in html
        assert "Saved the thing." in html

    def test_it_is_shown_once_not_again_on_the_next_page(self, client):
        client.post("/t/fragment/", **HTMX)
        assert "Saved the thing." not in client.get("/saved/").content.decode()

    def test_a_whole_page_shows_its_messages_in_place_without_a_second_copy(self, client):
        html = client.get("/t/page/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main").content.decode()
        assert html.count("Shown on the page.") == 1
        assert "hx-swap-oob" not in html

    def test_without_htmx_the_fragment_is_left_alone_and_the_message_waits(self, client):
        assert client.post("/t/fragment/").content.decode() == '<div id="thing">done</div>'
        assert "Saved the thing." in client.get("/saved/").content.decode()

    def test_a_json_answer_is_never_given_html(self, client):
        assert client.get("/t/json/", **HTMX).content.decode() == '{"ok": true}'


class TestAttributeForm:
    """htmx reads ``hx-*`` and ``data-hx-*`` alike; only the second is valid HTML, so only it is used."""

    BARE = re.compile(
        r"""(?<![\w-])hx-(?:get|post|put|patch|delete|target|swap|trigger|push-url|include|vals|headers|confirm|indicator|sync|preserve|select|boost|ext|on)\b"""
    )

    def test_templates_and_scripts_use_the_data_form_only(self):
        roots = [settings.BASE_DIR / "templates", settings.BASE_DIR / "static" / "js"]
        found = [
            f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
            for root in roots
            for path in sorted(root.rglob("*"))
            if path.suffix in {".html", ".js", ".txt"}
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if self.BARE.search(line)
        ]
        assert not found, "\n".join(found)

    def test_the_check_sees_a_bare_attribute(self):
        assert self.BARE.search('<a hx-get="/x/">') and self.BARE.search('setAttribute("hx-preserve", "true")')
        assert not self.BARE.search('<a data-hx-get="/x/" data-hx-swap-oob="true">')
