"""Avatars go through the one photo pipeline: what is served is our clean JPEG, never the upload.

Before, the file was stored as uploaded: EXIF GPS and camera data served on the
public seller page, the extension taken from the client (a JPEG+HTML polyglot
named x.pdf was served as application/pdf), any pixel size.
"""

from __future__ import annotations

import mimetypes
import re
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from classifieds.accounts.tests.factories import UserFactory
from classifieds.imaging.tests.images import bomb_png, jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

TYPED = {"display_name": "Aziza Karimova", "about": "Продаю детские вещи.", "email": "aziza@example.uz"}


@pytest.fixture
def member(client):
    user = UserFactory(phone="+998901112233", display_name="Aziza")
    client.force_login(user)
    return user


def save(client, avatar, path: str = "/u/profile/"):
    return client.post(path, {**TYPED, "avatar": avatar})


def stored(user) -> Image.Image:
    user.refresh_from_db()
    with user.avatar.storage.open(user.avatar.name, "rb") as stream:
        image = Image.open(BytesIO(stream.read()))
        image.load()
    return image


def served_images(html: str) -> list[str]:
    """Storage names of every image the page shows (the avatar's thumbnails)."""
    urls = set(re.findall(r'<img class="avatar" src="([^"]+)"', html))
    urls |= {url for srcset in re.findall(r'srcset="([^"]+)"', html) for url in re.findall(r"(/media/\S+)", srcset)}
    return sorted(url.removeprefix("/media/") for url in urls)


def assert_no_metadata(image: Image.Image) -> None:
    assert not image.getexif(), dict(image.getexif())
    assert "exif" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info


class TestAStoredAvatar:
    def test_has_no_exif_and_neither_has_what_the_public_page_serves(self, client, member):
        response = save(client, upload(jpeg_bytes(800, 600, gps=True), "IMG_2024.jpg"))
        assert response.status_code == 302
        image = stored(member)
        assert image.format == "JPEG"
        assert_no_metadata(image)

        client.logout()
        html = client.get(f"/u/{member.pk}/").content.decode()
        served = served_images(html)
        assert len(served) == 2  # 1x and 2x thumbnails, never the original
        assert member.avatar.name not in served
        for name in served:
            with default_storage.open(name, "rb") as stream:
                thumb = Image.open(BytesIO(stream.read()))
            assert_no_metadata(thumb)
            assert thumb.size in {(96, 96), (192, 192)}

    def test_is_turned_upright_by_its_exif_orientation(self, client, member):
        save(client, upload(jpeg_bytes(400, 200, orientation=6)))  # a phone held upright: rotate 90°
        assert stored(member).size == (200, 400)

    def test_a_polyglot_named_pdf_is_stored_as_our_jpeg_with_our_extension(self, client, member):
        polyglot = jpeg_bytes(64, 48) + b"<html><script>alert(document.cookie)</script></html>"
        response = save(client, upload(polyglot, "x.pdf", content_type="application/pdf"))
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.avatar.name.endswith(".jpg")
        assert mimetypes.guess_type(member.avatar.name)[0] == "image/jpeg"
        with member.avatar.storage.open(member.avatar.name, "rb") as stream:
            data = stream.read()
        assert data.startswith(b"\xff\xd8") and b"<html" not in data and b"script" not in data

    def test_a_png_with_transparency_becomes_a_jpeg_too(self, client, member):
        save(client, upload(png_bytes(64, 64), "me.png", content_type="image/png"))
        member.refresh_from_db()
        assert member.avatar.name.endswith(".jpg")
        assert stored(member).format == "JPEG"

    def test_a_large_photo_is_bounded(self, client, member):
        save(client, upload(jpeg_bytes(3000, 2000)))
        assert max(stored(member).size) == 512


class TestARefusedAvatar:
    @pytest.mark.parametrize(
        ("avatar", "error"),
        [
            (lambda: upload(bomb_png(), "huge.png", "image/png"), "В изображении слишком много пикселей."),
            (lambda: upload(b"not an image at all", "me.jpg"), "Мы не можем прочитать это фото"),
            (
                lambda: upload(jpeg_bytes(640, 480)[:2700], "cut.jpg"),
                "Файл повреждён и не читается.",
            ),  # a valid header, half a picture
            (lambda: upload(b"0" * (5 * 1024 * 1024 + 1), "big.jpg"), "5 МБ"),
        ],
        ids=["huge-pixel-size", "not-an-image", "damaged", "too-many-bytes"],
    )
    def test_is_a_form_error_and_the_other_typed_fields_stay(self, client, member, avatar, error):
        response = save(client, avatar())
        assert response.status_code == 200
        html = response.content.decode()
        assert error in html
        assert 'value="Aziza Karimova"' in html and "Продаю детские вещи." in html and "aziza@example.uz" in html
        member.refresh_from_db()
        assert not member.avatar
        assert member.display_name == "Aziza"  # nothing was saved

    def test_the_error_speaks_uzbek_under_uz(self, client, member):
        html = save(client, upload(bomb_png(), "huge.png", "image/png"), path="/uz/u/profile/").content.decode()
        assert "Rasmda piksellar juda ko‘p." in html


class TestAvatarsStoredBeforeThePipeline:
    def test_are_re_encoded_by_the_command_and_unreadable_ones_removed(self, capsys):
        from django.core.files.base import ContentFile
        from django.core.management import call_command

        raw = UserFactory()
        raw.avatar.save("old.pdf", ContentFile(jpeg_bytes(900, 700, gps=True)))
        broken = UserFactory()
        broken.avatar.save("broken.png", ContentFile(b"not an image"))
        old_names = (raw.avatar.name, broken.avatar.name)

        call_command("avatars_reencode")

        assert "re-encoded: 1, removed (unreadable): 1" in capsys.readouterr().out
        image = stored(raw)
        assert raw.avatar.name.endswith(".jpg") and image.format == "JPEG"
        assert_no_metadata(image)
        assert max(image.size) == 512
        broken.refresh_from_db()
        assert not broken.avatar
        assert not any(default_storage.exists(name) for name in old_names)
