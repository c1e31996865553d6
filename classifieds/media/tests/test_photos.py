"""Listing photos through the posting form: upload (multipart), processing, rules, reorder, delete, replace."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from classifieds.accounts.tests.factories import UserFactory
from classifieds.audit.models import Event
from classifieds.imaging.processing import MAX_BYTES
from classifieds.imaging.tests.images import GPS_IFD, bomb_png, heic_bytes, jpeg_bytes, png_bytes, upload
from classifieds.listings import services
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.media.models import ListingPhoto
from classifieds.taxonomy.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

HTMX_PHOTOS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "photos"}


@pytest.fixture
def seller():
    return UserFactory()


@pytest.fixture
def draft(seller):
    return services.listing_create_draft(owner=seller, category=CategoryFactory())


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


def stored_names(folder: str = "") -> set[str]:
    """Every file in the (per-test) media storage."""
    folders, files = default_storage.listdir(folder)
    names = {f"{folder}/{name}".lstrip("/") for name in files}
    for sub in folders:
        names |= stored_names(f"{folder}/{sub}".lstrip("/"))
    return names


def url(listing) -> str:
    return f"/post/details/?draft={listing.pk}"


def post_photos(client, listing, *files, capture, **extra):
    with capture(execute=True):  # the processing task runs after commit (Huey is immediate in tests)
        return client.post(url(listing), {"action": "save", "title": "Kept title", "photos": list(files)}, **extra)


class TestUpload:
    def test_a_plain_multipart_upload_is_processed_and_keeps_the_typed_fields(
        self, signed_in, draft, django_capture_on_commit_callbacks
    ):
        response = post_photos(
            signed_in,
            draft,
            upload(jpeg_bytes(80, 40, orientation=6, gps=True)),
            upload(png_bytes(), "b.png", "image/png"),
            capture=django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "Kept title"
        photos = list(draft.photos.order_by("order"))
        assert [p.status for p in photos] == ["ready", "ready"]
        first = photos[0]
        assert (first.width, first.height) == (40, 80) and len(first.checksum) == 64
        assert first.image.name.endswith(".jpg")
        with default_storage.open(first.image.name) as stored:
            image = Image.open(BytesIO(stored.read()))
            assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert not default_storage.exists(first.image.name.replace(".jpg", ".upload"))

    def test_an_iphone_heic_is_decoded_oriented_stripped_and_stored_as_jpeg(
        self, signed_in, draft, django_capture_on_commit_callbacks
    ):
        data = heic_bytes(80, 40, orientation=6, gps=True)
        assert data[4:12] == b"ftypheic"  # a real HEIC container, made here, with GPS in its EXIF
        import pillow_heif

        source_exif = Image.Exif()
        source_exif.load(pillow_heif.open_heif(BytesIO(data)).info["exif"])
        assert source_exif.get_ifd(GPS_IFD)
        response = post_photos(
            signed_in, draft, upload(data, "IMG_0001.HEIC", "image/heic"), capture=django_capture_on_commit_callbacks
        )
        assert response.status_code == 302
        photo = draft.photos.get()
        assert photo.status == "ready", photo.error
        assert (photo.width, photo.height) == (40, 80)  # turned upright as the phone showed it
        assert photo.image.name.endswith(".jpg") and photo.original_name == "IMG_0001.HEIC"
        with default_storage.open(photo.image.name) as stored:
            image = Image.open(BytesIO(stored.read()))
            image.load()
        assert image.format == "JPEG" and image.size == (40, 80)
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        red, blue = image.getpixel((20, 10)), image.getpixel((20, 70))
        assert red[0] > 180 and red[2] < 80 and blue[2] > 180 and blue[0] < 80  # left half became the top
        # Only the JPEG is kept: the uploaded HEIC itself is gone, so it can never be served.
        listing_files = {name for name in stored_names() if not name.startswith("cache/")}
        assert listing_files == {photo.image.name}

    def test_the_form_shows_thumbnails_with_srcset_and_dimensions(
        self, signed_in, draft, django_capture_on_commit_callbacks
    ):
        post_photos(signed_in, draft, upload(jpeg_bytes(640, 480)), capture=django_capture_on_commit_callbacks)
        html = signed_in.get(url(draft)).content.decode()
        assert "srcset=" in html and " 480w" in html and 'width="240" height="180"' in html

    @pytest.mark.parametrize(
        ("data", "name", "reason"),
        [
            (b"%PDF-1.4 a document", "contract.pdf", "JPEG, PNG, WebP"),
            (bomb_png(), "bomb.png", "пикселей"),
            (b"\xff\xd8" + b"0" * (MAX_BYTES + 1), "huge.jpg", "15 МБ"),
        ],
        ids=["bad-type", "bomb", "too-big"],
    )
    def test_a_rejected_file_shows_its_reason_next_to_its_name(
        self, signed_in, draft, data, name, reason, django_capture_on_commit_callbacks
    ):
        response = post_photos(signed_in, draft, upload(data, name), capture=django_capture_on_commit_callbacks)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<strong>{name}</strong>" in html and reason in html
        assert not draft.photos.exists()
        draft.refresh_from_db()
        assert draft.title == "Kept title"  # the rest of the form was still saved

    def test_the_same_photo_twice_on_one_listing_is_refused(self, signed_in, draft, django_capture_on_commit_callbacks):
        data = jpeg_bytes()
        post_photos(signed_in, draft, upload(data), capture=django_capture_on_commit_callbacks)
        response = post_photos(signed_in, draft, upload(data, "again.jpg"), capture=django_capture_on_commit_callbacks)
        assert "already in the listing" in response.content.decode() or "уже есть" in response.content.decode()
        assert draft.photos.count() == 1

    def test_the_same_photo_on_another_sellers_listing_is_flagged_for_moderation(
        self, signed_in, draft, django_capture_on_commit_callbacks
    ):
        data = jpeg_bytes(color=(1, 2, 3))
        theirs = ListingFactory()
        with django_capture_on_commit_callbacks(execute=True):
            from classifieds.media.services import photo_add

            photo_add(listing=theirs, upload=upload(data), actor=theirs.owner)
        post_photos(signed_in, draft, upload(data), capture=django_capture_on_commit_callbacks)
        mine = draft.photos.get()
        assert mine.status == "ready" and mine.flagged
        assert Event.objects.filter(topic="media.photo_flagged", subject_id=str(mine.pk)).exists()
        assert not theirs.photos.get().flagged

    def test_at_most_12_photos(self, signed_in, draft, django_capture_on_commit_callbacks):
        for n in range(12):
            ListingPhotoFactory(listing=draft, checksum=f"{n:064d}")
        response = post_photos(signed_in, draft, upload(jpeg_bytes()), capture=django_capture_on_commit_callbacks)
        assert "12" in response.content.decode()
        assert draft.photos.count() == 12

    def test_a_file_that_fails_decoding_is_marked_failed_with_its_reason(
        self, signed_in, draft, django_capture_on_commit_callbacks
    ):
        whole = jpeg_bytes(400, 300)
        truncated = whole[: len(whole) // 2]  # a valid header, half the picture
        post_photos(signed_in, draft, upload(truncated, "cut.jpg"), capture=django_capture_on_commit_callbacks)
        photo = draft.photos.get()
        assert photo.status == "failed" and photo.error and not photo.image
        assert "cut.jpg" in signed_in.get(url(draft)).content.decode()


class TestArranging:
    @pytest.fixture
    def photos(self, draft):
        return [ListingPhotoFactory(listing=draft, order=n, checksum=f"{n:064d}") for n in range(3)]

    def order(self, draft) -> list[int]:
        return list(draft.photos.order_by("order", "pk").values_list("pk", flat=True))

    def test_without_js_make_cover_moves_a_photo_first(self, signed_in, draft, photos):
        response = signed_in.post(url(draft), {"action": "save", "photo": f"cover:{photos[2].pk}"})
        assert response.status_code == 302
        assert self.order(draft) == [photos[2].pk, photos[0].pk, photos[1].pk]

    def test_with_htmx_moving_returns_only_the_photos(self, signed_in, draft, photos):
        response = signed_in.post(url(draft), {"action": "photos", "photo": f"left:{photos[1].pk}"}, **HTMX_PHOTOS)
        html = response.content.decode()
        assert "<html" not in html and 'id="photos"' in html
        assert self.order(draft) == [photos[1].pk, photos[0].pk, photos[2].pk]
        signed_in.post(url(draft), {"action": "photos", "photo": f"right:{photos[1].pk}"}, **HTMX_PHOTOS)
        assert self.order(draft) == [photos[0].pk, photos[1].pk, photos[2].pk]

    def test_delete_removes_the_photo_and_its_file(self, signed_in, draft, photos, django_capture_on_commit_callbacks):
        name = photos[0].image.name
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(url(draft), {"action": "photos", "photo": f"delete:{photos[0].pk}"}, **HTMX_PHOTOS)
        assert self.order(draft) == [photos[1].pk, photos[2].pk]
        assert not default_storage.exists(name)

    def test_replace_puts_the_new_photo_in_the_old_ones_place(
        self, signed_in, draft, photos, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(
                url(draft), {"action": "save", f"replace-{photos[1].pk}": upload(jpeg_bytes(color=(9, 9, 9)))}
            )
        order = self.order(draft)
        assert len(order) == 3 and order[0] == photos[0].pk and order[2] == photos[2].pk
        new = ListingPhoto.objects.get(pk=order[1])
        assert new.pk != photos[1].pk and new.status == "ready"

    def test_another_sellers_photos_cannot_be_touched(self, client, draft, photos):
        client.force_login(UserFactory())
        response = client.post(url(draft), {"action": "photos", "photo": f"delete:{photos[0].pk}"})
        assert response.status_code == 404
        assert draft.photos.count() == 3


class TestRedrive:
    """A task that died mid-way (worker killed) leaves its photo "processing": the minutely sweep retries it."""

    def stuck(self, draft, *, attempts: int, seconds_ago: int) -> ListingPhoto:
        from datetime import timedelta

        from django.utils import timezone

        from classifieds.media.services import photo_add

        photo = photo_add(listing=draft, upload=upload(jpeg_bytes(30, 20)), actor=draft.owner)  # on_commit never runs
        ListingPhoto.objects.filter(pk=photo.pk).update(
            attempts=attempts, attempted_at=timezone.now() - timedelta(seconds=seconds_ago)
        )
        return photo

    def test_a_photo_whose_task_died_a_minute_ago_is_processed_again(self, draft):
        from classifieds.media.services import photos_redrive

        photo = self.stuck(draft, attempts=1, seconds_ago=61)
        assert photos_redrive() == 1
        photo.refresh_from_db()
        assert photo.status == "ready" and (photo.width, photo.height) == (30, 20)
        assert photo.attempts == 2

    def test_a_photo_whose_task_was_lost_before_it_started_is_processed_too(self, draft):
        from datetime import timedelta

        from django.utils import timezone

        from classifieds.media.services import photo_add, photos_redrive

        photo = photo_add(listing=draft, upload=upload(jpeg_bytes(30, 20)), actor=draft.owner)
        assert photos_redrive() == 0  # just uploaded: its task may still be on its way
        ListingPhoto.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(seconds=61))
        assert photos_redrive() == 1
        photo.refresh_from_db()
        assert photo.status == "ready"

    def test_a_try_still_running_is_left_alone(self, draft):
        from classifieds.media.services import photos_redrive

        photo = self.stuck(draft, attempts=1, seconds_ago=30)
        assert photos_redrive() == 0
        photo.refresh_from_db()
        assert photo.status == "processing" and photo.attempts == 1

    def test_the_sweep_runs_every_minute_so_a_dead_task_is_retried_within_two_minutes(self):
        from datetime import datetime

        from classifieds.media.services import STUCK_AFTER
        from classifieds.media.tasks import redrive_photos_task

        minutes = [datetime(2026, 11, 29, 12, minute) for minute in range(60)]
        assert all(redrive_photos_task.task_class().validate_datetime(moment) for moment in minutes)
        assert STUCK_AFTER.total_seconds() + 60 <= 120

    def test_after_three_tries_it_is_failed_with_a_message_the_seller_sees(self, draft, signed_in):
        from classifieds.media.services import photos_redrive

        photo = self.stuck(draft, attempts=3, seconds_ago=61)
        raw = photo.image.name
        assert photos_redrive() == 1
        photo.refresh_from_db()
        assert photo.status == "failed" and photo.attempts == 3
        assert photo.error == "Не удалось обработать фото; добавьте его ещё раз."
        assert not default_storage.exists(raw)
        page = signed_in.get(url(draft)).content.decode()
        assert "Не удалось обработать фото; добавьте его ещё раз." in page
        assert photos_redrive() == 0  # and it is not tried again

    def test_a_queued_duplicate_never_tries_a_fourth_time(self, draft):
        from classifieds.media.services import photo_process

        photo = self.stuck(draft, attempts=3, seconds_ago=5)
        assert photo_process(photo_id=photo.pk).status == "failed"

    def test_a_late_duplicate_does_not_fail_a_photo_another_try_finished(self, draft):
        from classifieds.media.services import photo_process

        photo = self.stuck(draft, attempts=1, seconds_ago=61)
        assert photo_process(photo_id=photo.pk).status == "ready"
        late = ListingPhoto.objects.get(pk=photo.pk)
        late.status = ListingPhoto.Status.PROCESSING  # what a concurrent try read before the first one finished
        from classifieds.media.services import photo_fail

        assert photo_fail(late, "lost").status == "ready"


class TestWhatBuyersSee:
    def test_a_photo_still_processing_or_failed_is_never_shown_on_a_live_listing(self, client):
        listing = ListingFactory()
        ready = ListingPhotoFactory(listing=listing, order=2)
        ListingPhotoFactory(listing=listing, order=0, status=ListingPhoto.Status.PROCESSING)
        ListingPhoto.objects.create(listing=listing, order=1, status=ListingPhoto.Status.FAILED, error="broken")
        response = client.get(listing.get_absolute_url())
        assert response.status_code == 200
        assert [photo.pk for photo in response.context["photos"]] == [ready.pk]
        from classifieds.listings.models import Listing

        assert Listing.objects.for_cards().get(pk=listing.pk).cover.pk == ready.pk
