"""The S3 media path end to end against moto's S3-compatible server (a real HTTP server started here).

Both upload paths land the same way: a multipart POST through Django, and a
direct browser upload with a presigned POST followed by the attach call.
"""

from __future__ import annotations

from io import BytesIO

import httpx
import pytest
from PIL import Image

from classifieds.accounts.tests.browser import sign_in
from classifieds.accounts.tests.factories import UserFactory
from classifieds.imaging.tests.images import GPS_IFD, jpeg_bytes, upload
from classifieds.listings import services as listing_services
from classifieds.media.models import ListingPhoto
from classifieds.taxonomy.tests.factories import CategoryFactory

from .conftest import BUCKET, objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return UserFactory()


@pytest.fixture
def draft(seller):
    return listing_services.listing_create_draft(owner=seller, category=CategoryFactory())


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


def read_back(client, key: str) -> Image.Image:
    return Image.open(BytesIO(client.get_object(Bucket=BUCKET, Key=key)["Body"].read()))


class TestMultipartThroughDjango:
    def test_a_photo_is_processed_into_the_bucket(self, s3, signed_in, draft, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in.post(
                f"/post/details/?draft={draft.pk}",
                {"action": "save", "photos": [upload(jpeg_bytes(80, 40, orientation=6, gps=True))]},
            )
        assert response.status_code == 302
        photo = draft.photos.get()
        assert photo.status == "ready" and (photo.width, photo.height) == (40, 80)
        assert objects(s3) == {photo.image.name}  # the raw upload is gone
        assert not read_back(s3, photo.image.name).getexif().get_ifd(GPS_IFD)


class TestDirectUpload:
    def presign(self, client, listing, data: bytes, content_type="image/jpeg"):
        return client.post("/uploads/presign", {"listing": listing.pk, "size": len(data), "content_type": content_type})

    def test_presign_upload_attach_gives_the_same_result_as_a_multipart_post(
        self, s3, signed_in, draft, django_capture_on_commit_callbacks
    ):
        data = jpeg_bytes(80, 40, orientation=6, gps=True)
        answer = self.presign(signed_in, draft, data).json()
        assert answer["key"].startswith(f"uploads/{draft.pk}/")
        sent = httpx.post(answer["url"], data=answer["fields"], files={"file": ("a.jpg", data, "image/jpeg")})
        assert sent.status_code in (200, 204), sent.text
        with django_capture_on_commit_callbacks(execute=True):
            attached = signed_in.post(
                "/uploads/attach",
                {
                    "listing": draft.pk,
                    "key": answer["key"],
                    "size": len(data),
                    "content_type": "image/jpeg",
                    "name": "a.jpg",
                },
            )
        assert attached.status_code == 200, attached.content
        photo = ListingPhoto.objects.get(pk=attached.json()["photo"])
        assert photo.status == "ready" and (photo.width, photo.height) == (40, 80)
        assert photo.original_name == "a.jpg"
        assert objects(s3) == {photo.image.name}  # upload slot and raw copy removed
        assert not read_back(s3, photo.image.name).getexif()

    def test_attach_refuses_an_object_whose_size_differs_from_the_declared_one(self, s3, signed_in, draft):
        data = jpeg_bytes()
        answer = self.presign(signed_in, draft, data).json()
        httpx.post(answer["url"], data=answer["fields"], files={"file": ("a.jpg", data, "image/jpeg")})
        response = signed_in.post(
            "/uploads/attach",
            {"listing": draft.pk, "key": answer["key"], "size": len(data) + 1, "content_type": "image/jpeg"},
        )
        assert response.status_code == 400
        assert not draft.photos.exists() and answer["key"] not in objects(s3)

    def test_attach_of_an_object_that_was_never_uploaded_is_not_found(self, s3, signed_in, draft):
        response = signed_in.post(
            "/uploads/attach",
            {"listing": draft.pk, "key": f"uploads/{draft.pk}/nothing", "size": 10, "content_type": "image/jpeg"},
        )
        assert response.status_code == 404

    def test_presign_refuses_other_types_and_big_files(self, s3, signed_in, draft):
        assert self.presign(signed_in, draft, b"x" * 10, "application/pdf").status_code == 400
        response = signed_in.post(
            "/uploads/presign", {"listing": draft.pk, "size": 16 * 2**20, "content_type": "image/jpeg"}
        )
        assert response.status_code == 400 and "15" in response.json()["error"]

    def test_another_sellers_listing_and_keys_are_not_found(self, s3, client, draft):
        client.force_login(UserFactory())
        assert self.presign(client, draft, b"x" * 10).status_code == 404
        mine = listing_services.listing_create_draft(owner=UserFactory(), category=draft.category)
        response = client.post(
            "/uploads/attach",
            {"listing": mine.pk, "key": f"uploads/{draft.pk}/x", "size": 10, "content_type": "image/jpeg"},
        )
        assert response.status_code == 404

    def test_without_s3_the_direct_path_does_not_exist(self, signed_in, draft):
        assert self.presign(signed_in, draft, b"x" * 10).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("browser_context", [True], indirect=True)
def test_a_browser_uploads_straight_to_the_bucket(s3, live_server, browser_context, tmp_path):

    s3.put_bucket_cors(
        Bucket=BUCKET,
        CORSConfiguration={
            "CORSRules": [{"AllowedMethods": ["POST"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]}]
        },
    )
    seller = UserFactory()
    draft = listing_services.listing_create_draft(owner=seller, category=CategoryFactory())
    sign_in(browser_context, live_server, seller)
    photo = tmp_path / "direct.jpg"
    photo.write_bytes(jpeg_bytes(120, 90, (0, 150, 0)))
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/post/details/?draft={draft.pk}")
    page.wait_for_function("window.htmx !== undefined")
    assert page.locator("#id_photos[data-presign]").count() == 1
    page.set_input_files("#id_photos", str(photo))
    page.locator("#photos .photo-item img").wait_for()
    stored = draft.photos.get()
    assert stored.status == "ready" and stored.original_name == "direct.jpg"
    keys = objects(s3)
    assert {key for key in keys if not key.startswith("cache/")} == {stored.image.name}
    assert "srcset" in page.inner_html("#photos")
