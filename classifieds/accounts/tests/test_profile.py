"""The profile page: sign-in required, name/photo/about, optional email with verification, soft delete."""

from __future__ import annotations

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from classifieds.accounts.models import User
from classifieds.accounts.services import user_soft_delete
from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.listings.models import Listing
from classifieds.listings.tests.factories import ListingFactory

from .conftest import OTP

pytestmark = pytest.mark.django_db


def image_upload(name="me.png", fmt="PNG", size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def member(client):
    user = UserFactory(phone="+998901112233", display_name="Aziza")
    client.force_login(user)
    return user


def save(client, **data):
    fields = {"display_name": "Aziza", "about": "", "email": "", **data}
    return client.post("/u/profile/", fields)


class TestSignInRequired:
    @pytest.mark.parametrize("path", ["/u/profile/", "/u/profile/delete/"])
    def test_a_visitor_is_sent_to_sign_in_and_back(self, client, path):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{OTP}?next={path}"

    def test_in_uzbek_the_sign_in_page_is_uzbek_too(self, client):
        assert client.get("/uz/u/profile/")["Location"] == "/uz/auth/otp/?next=/uz/u/profile/"

    def test_an_htmx_request_turns_the_whole_page_to_sign_in(self, client):
        response = client.get(
            "/u/profile/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/l/5-cobalt/?page=2"
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == f"{OTP}?next=/l/5-cobalt/%3Fpage%3D2"

    def test_after_signing_in_the_visitor_lands_on_the_page_they_wanted(self, client, sign_in):
        UserFactory(phone="+998901112233", display_name="Aziza")
        next_url = client.get("/u/profile/")["Location"].split("next=")[1]
        response = sign_in(client, "+998901112233", next_url=next_url)
        assert response["Location"] == "/u/profile/"


class TestEditingTheProfile:
    def test_it_shows_the_phone_and_the_form(self, client, member):
        html = client.get("/u/profile/").content.decode()
        assert "+998 90 111 22 33" in html
        assert 'value="Aziza"' in html
        assert 'name="robots" content="noindex,nofollow"' in html

    def test_name_about_and_photo_are_saved_then_redirected(self, client, member):
        response = save(client, display_name="  Aziza   Karimova ", about="Продаю детские вещи.", avatar=image_upload())
        assert response.status_code == 302
        assert response["Location"] == "/u/profile/"
        member.refresh_from_db()
        assert member.display_name == "Aziza Karimova"
        assert member.about == "Продаю детские вещи."
        assert member.avatar.name.startswith("avatars/")
        assert "me" not in member.avatar.name.rsplit("/", 1)[1].removesuffix(".png")  # not the upload's name
        assert member.avatar.storage.exists(member.avatar.name)
        assert "Профиль сохранён." in client.get("/u/profile/").content.decode()

    def test_a_new_photo_replaces_and_removes_the_old_file(self, client, member, django_capture_on_commit_callbacks):
        save(client, avatar=image_upload())
        member.refresh_from_db()
        old = member.avatar.name
        with django_capture_on_commit_callbacks(execute=True):
            save(client, avatar=image_upload("new.jpg", "JPEG"))
        member.refresh_from_db()
        assert member.avatar.name != old
        assert not member.avatar.storage.exists(old)

    def test_saving_without_a_new_photo_keeps_it_and_the_checkbox_removes_it(self, client, member):
        save(client, avatar=image_upload())
        member.refresh_from_db()
        kept = member.avatar.name
        save(client, about="Новое описание")
        member.refresh_from_db()
        assert member.avatar.name == kept
        save(client, **{"avatar-clear": "on"})
        member.refresh_from_db()
        assert not member.avatar

    def test_an_email_is_confirmed_by_its_link(self, client, member):
        save(client, email="Aziza@Example.uz")
        member.refresh_from_db()
        assert member.email == ""  # not until confirmed
        assert EmailAddress.objects.get(user=member).email == "aziza@example.uz"
        assert len(mail.outbox) == 1
        assert "aziza@example.uz" in client.get("/u/profile/").content.decode()

        link = re.search(re.escape(settings.BASE_URL) + r"(/auth/email/confirm/\S+/)", mail.outbox[0].body)
        assert link, mail.outbox[0].body
        confirm_page = client.get(link.group(1))
        assert confirm_page.status_code == 200
        assert "aziza@example.uz" in confirm_page.content.decode()
        response = client.post(link.group(1))
        assert response.status_code == 302
        assert response["Location"] == "/u/profile/"
        member.refresh_from_db()
        assert member.email == "aziza@example.uz"
        assert EmailAddress.objects.get(user=member).verified

    def test_clearing_the_email_removes_it(self, client, member):
        EmailAddress.objects.create(user=member, email="a@example.uz", verified=True, primary=True)
        member.email = "a@example.uz"
        member.save()
        save(client, email="")
        member.refresh_from_db()
        assert member.email == ""
        assert not EmailAddress.objects.filter(user=member).exists()

    def test_a_wrong_email_is_refused(self, client, member):
        response = save(client, email="not-an-email")
        assert response.status_code == 200
        assert len(mail.outbox) == 0


class TestDeletingTheAccount:
    def test_it_asks_for_confirmation(self, client, member):
        response = client.post("/u/profile/delete/", {})
        assert response.status_code == 200
        member.refresh_from_db()
        assert member.is_active

    def test_listings_are_hidden_personal_data_scrubbed_and_an_audit_event_kept(
        self, client, member, django_capture_on_commit_callbacks
    ):
        save(client, avatar=image_upload())
        member.refresh_from_db()
        avatar = member.avatar.name
        EmailAddress.objects.create(user=member, email="a@example.uz", verified=True, primary=True)
        active = ListingFactory(owner=member)
        sold = ListingFactory(owner=member, status=Listing.Status.SOLD)
        someone_elses = ListingFactory()

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/u/profile/delete/", {"confirm": "on"})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert SESSION_KEY not in client.session
        assert "Ваш аккаунт удалён" in client.get("/").content.decode()

        member.refresh_from_db()
        assert member.deleted_at is not None
        assert not member.is_active
        assert member.phone is None and not member.phone_verified
        assert member.display_name == member.first_name == member.last_name == member.about == member.email == ""
        assert not member.avatar
        assert not member.has_usable_password()
        assert "998901112233" not in member.username
        assert not member.avatar.storage.exists(avatar)
        assert not EmailAddress.objects.filter(user=member).exists()
        for listing in (active, sold):
            listing.refresh_from_db()
            assert listing.status == Listing.Status.DELETED
            assert listing.contact_phone == ""
        someone_elses.refresh_from_db()
        assert someone_elses.status == Listing.Status.ACTIVE

        reindexed = Event.objects.filter(topic="search.reindex", subject_type="listings.listing")
        assert {int(e.subject_id) for e in reindexed} >= {active.pk, sold.pk}  # they leave the search index
        event = Event.objects.get(topic="account.deleted")
        assert event.subject_id == str(member.pk)
        assert event.payload == {"listings_hidden": 2, "by_self": True}
        assert "998" not in str(event.payload)

        assert client.get(active.get_absolute_url()).status_code == 404
        assert client.get(f"/u/{member.pk}/").status_code == 404

    def test_the_number_can_open_a_fresh_account_afterwards(self, client, member, sign_in):
        user_soft_delete(user=member)
        client.logout()
        sign_in(client, "+998901112233")
        fresh = User.objects.get(phone="+998901112233")
        assert fresh.pk != member.pk
        assert client.session[SESSION_KEY] == str(fresh.pk)

    def test_other_sessions_of_the_account_end_too(self, member):
        from django.test import Client

        other_device = Client()
        other_device.force_login(member)
        user_soft_delete(user=member)
        assert other_device.get("/u/profile/").status_code == 302
