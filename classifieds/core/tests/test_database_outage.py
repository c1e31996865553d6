"""A database outage answers 503 with Retry-After and a friendly page; a posted form can be sent again."""

from __future__ import annotations

from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from classifieds.core.views import server_error

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_refuses():
    """Point the connection at a database that does not exist: the server refuses it for real."""
    real_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "bozor_no_such_database"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real_name


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": a.get("method"), "action": a.get("action"), "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append((a.get("name"), a.get("value")))


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class TestAPageDuringAnOutage:
    def test_it_answers_503_with_retry_after_and_the_friendly_page(self, client):
        with database_refuses():
            response = client.get("/")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "no-cache" in response["Cache-Control"]
        html = response.content.decode()
        assert "Сайт ненадолго недоступен" in html
        assert 'href="/"' in html  # "try again" leads back to the same page

    def test_it_speaks_uzbek_under_uz(self, client):
        with database_refuses():
            response = client.get("/uz/")
        assert response.status_code == 503
        html = response.content.decode()
        assert 'lang="uz"' in html
        assert "Sayt qisqa vaqtga ishlamayapti" in html
        assert 'href="/uz/"' in html

    def test_a_signed_in_visitor_gets_it_too(self, client, django_user_model):
        user = django_user_model.objects.create(phone="+998901112233", username="u1")
        client.force_login(user)
        with database_refuses():
            response = client.get("/u/listings/")
        assert response.status_code == 503


class TestAFormPostedDuringAnOutage:
    def test_what_was_typed_comes_back_in_a_form_to_send_again_without_secrets(self):
        client = Client(enforce_csrf_checks=True)
        client.get("/auth/otp/")  # the CSRF cookie, as a browser would have it
        token = client.cookies["csrftoken"].value
        with database_refuses():
            response = client.post(
                "/auth/otp/?next=/u/profile/",
                {
                    "csrfmiddlewaretoken": token,
                    "phone": "90 123 45 67",
                    "code": "123456",
                    "password": "hunter2",
                    "note": ['say "hi" <b>', "two"],
                },
            )
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        html = response.content.decode()
        [form] = forms_of(html)
        assert form["method"] == "post" and form["action"] == "/auth/otp/?next=/u/profile/"
        fields = [(name, value) for name, value in form["inputs"] if name != "csrfmiddlewaretoken"]
        assert fields == [("phone", "90 123 45 67"), ("note", 'say "hi" <b>'), ("note", "two")]
        assert "123456" not in html and "hunter2" not in html
        # A token for the new form, never the one that was posted.
        tokens = [value for name, value in form["inputs"] if name == "csrfmiddlewaretoken"]
        assert len(tokens) == 1 and tokens[0] and tokens[0] != token
        assert "Пароли и коды не сохраняются" in html

    def test_sending_it_again_once_the_database_is_back_works(self):
        client = Client(enforce_csrf_checks=True)
        client.get("/auth/otp/")
        with database_refuses():
            outage = client.post(
                "/auth/otp/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "phone": "90 765 43 21"}
            )
        [form] = forms_of(outage.content.decode())
        again = client.post(form["action"], dict(form["inputs"]), follow=True)
        assert again.redirect_chain == [("/auth/otp/", 302)]
        assert "Мы отправили код на" in again.content.decode()  # the phone step went through this time


class TestOutsideAView:
    def test_the_500_handler_turns_a_database_outage_into_the_503_page(self):
        request = RequestFactory().get("/c/anything/")
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            response = server_error(request)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"

    def test_any_other_error_is_the_static_500_page(self):
        request = RequestFactory().get("/")
        try:
            raise ValueError("a bug")
        except ValueError:
            response = server_error(request)
        assert response.status_code == 500
        assert "Что-то пошло не так" in response.content.decode()
