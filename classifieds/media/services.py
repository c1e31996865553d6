"""Writes on listing photos: add (upload), process, reorder, replace, delete."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classifieds.audit.services import event_record
from classifieds.listings.models import Listing
from classifieds.search.services import search_listings_changed

from .models import ListingPhoto
from .processing import ImageRejected, inspect_image, reencode, sha256_of

logger = logging.getLogger(__name__)

MAX_PHOTOS = 12


class PhotoRejected(ImageRejected):
    """An upload refused before it is stored (type, size, count, duplicate)."""


def _upload_name(extension: str, now: datetime | None = None) -> str:
    now = now or timezone.now()
    return f"listings/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"


def _listing_changed(listing: Listing, actor=None) -> None:
    """Cards and the index show the cover and the photo count: both follow the change."""
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    if listing.status != Listing.Status.DRAFT:
        search_listings_changed(listing_ids=[listing.pk], actor=actor, reason="photos")


def direct_upload_enabled() -> bool:
    """Browsers may upload straight to the bucket (presigned POST) when the media storage is S3."""
    return hasattr(default_storage, "bucket") and hasattr(default_storage, "bucket_name")


def live_photos(listing: Listing):
    return ListingPhoto.objects.filter(listing=listing).exclude(status=ListingPhoto.Status.FAILED)


@transaction.atomic
def photo_add(*, listing: Listing, upload: UploadedFile, actor, order: int | None = None) -> ListingPhoto:
    """Store an upload as a ``processing`` photo and queue its processing. Raises ``PhotoRejected``."""
    Listing.objects.select_for_update().filter(pk=listing.pk).first()  # one upload at a time per listing
    from classifieds.listings.services import ListingError, listing_content_changed

    try:  # a new photo is new content: through the lifecycle, like an edit (review under pre-moderation)
        listing_content_changed(listing=listing, actor=actor)
    except ListingError as exc:
        raise PhotoRejected(exc.message) from None
    if order is None and live_photos(listing).count() >= MAX_PHOTOS:
        raise PhotoRejected(_("A listing can have at most %(max)s photos.") % {"max": MAX_PHOTOS})
    try:
        inspect_image(upload, upload.size or 0)
    except ImageRejected as exc:
        raise PhotoRejected(exc.reason) from None
    checksum = sha256_of(upload)
    if live_photos(listing).filter(checksum=checksum).exists():
        raise PhotoRejected(_("This photo is already in the listing."))
    if order is None:
        order = (live_photos(listing).aggregate(top=Max("order"))["top"] or 0) + 1
    name = default_storage.save(_upload_name("upload"), upload)
    photo = ListingPhoto.objects.create(
        listing=listing,
        image=name,
        width=1,  # known after processing; non-zero so the model never opens the raw file to learn it
        height=1,
        order=order,
        checksum=checksum,
        size=upload.size or 0,
        original_name=(upload.name or "")[:200],
        status=ListingPhoto.Status.PROCESSING,
    )
    event_record(topic="media.photo_added", subject=photo, actor=actor, payload={"listing": listing.pk})
    _enqueue(photo.pk)
    return photo


def _enqueue(photo_id: int) -> None:
    def run() -> None:
        from .tasks import process_photo_task

        process_photo_task(photo_id)

    transaction.on_commit(run)


def photo_process(*, photo_id: int) -> ListingPhoto | None:
    """Re-encode an uploaded photo (orientation applied, metadata stripped) and mark it ready or failed."""
    photo = ListingPhoto.objects.select_related("listing").filter(pk=photo_id).first()
    if photo is None or photo.status != ListingPhoto.Status.PROCESSING:
        return photo
    raw_name = photo.image.name
    try:
        with default_storage.open(raw_name, "rb") as stream:
            encoded = reencode(stream.read())
    except ImageRejected as exc:
        return _photo_fail(photo, exc.reason)
    except FileNotFoundError:
        return _photo_fail(photo, _("The upload was lost; add the photo again."))
    name = default_storage.save(_upload_name("jpg"), ContentFile(encoded.data))
    with transaction.atomic():
        current = ListingPhoto.objects.select_for_update().filter(pk=photo.pk).first()
        if current is None or current.status != ListingPhoto.Status.PROCESSING:  # deleted meanwhile
            default_storage.delete(name)
            return current
        current.image = name
        current.width, current.height = encoded.width, encoded.height
        current.status = ListingPhoto.Status.READY
        current.flagged = (
            ListingPhoto.objects.filter(checksum=current.checksum)
            .exclude(listing__owner_id=photo.listing.owner_id)
            .exists()
        )
        current.save()
        if current.flagged:
            # Someone else's listing already has this exact file: moderators look at both.
            event_record(topic="media.photo_flagged", subject=current, payload={"reason": "checksum_elsewhere"})
        _listing_changed(photo.listing)
    default_storage.delete(raw_name)
    return current


def _photo_fail(photo: ListingPhoto, reason: str) -> ListingPhoto:
    raw_name = photo.image.name
    ListingPhoto.objects.filter(pk=photo.pk).update(status=ListingPhoto.Status.FAILED, error=reason[:200], image="")
    if raw_name:
        default_storage.delete(raw_name)
    photo.refresh_from_db()
    return photo


@transaction.atomic
def photo_delete(*, photo: ListingPhoto, actor) -> None:
    """Remove a photo and its file (after commit); the next one becomes the cover."""
    name = photo.image.name
    listing = photo.listing
    photo.delete()
    event_record(topic="media.photo_deleted", subject=listing, actor=actor, payload={"photo": photo.pk})
    _listing_changed(listing, actor)
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def photo_move(*, photo: ListingPhoto, position: int, actor) -> list[ListingPhoto]:
    """Put the photo at ``position`` (0 is the cover) and renumber the others."""
    photos = list(ListingPhoto.objects.select_for_update().filter(listing_id=photo.listing_id).order_by("order", "pk"))
    moving = next(p for p in photos if p.pk == photo.pk)
    photos.remove(moving)
    photos.insert(max(0, min(position, len(photos))), moving)
    for index, row in enumerate(photos):
        if row.order != index:
            row.order = index
            row.save(update_fields=["order"])
    _listing_changed(photo.listing, actor)
    return photos


@transaction.atomic
def photo_replace(*, photo: ListingPhoto, upload: UploadedFile, actor) -> ListingPhoto:
    """A new file in the old one's place (same position); the old photo goes once the new one is accepted."""
    listing = photo.listing
    order = photo.order
    old_checksum = photo.checksum
    name = photo.image.name
    photo.delete()  # frees the checksum, so replacing a photo by itself is not a "duplicate"
    new = photo_add(listing=listing, upload=upload, actor=actor, order=order)  # a rejection rolls the delete back
    event_record(topic="media.photo_replaced", subject=new, actor=actor, payload={"old_checksum": old_checksum})
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
    return new


def photos_redrive(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Process photos whose task was lost (a worker killed mid-way): still ``processing`` after ``older_than``."""
    stale = ListingPhoto.objects.filter(
        status=ListingPhoto.Status.PROCESSING, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)[:100]
    count = 0
    for photo_id in stale:
        photo_process(photo_id=photo_id)
        count += 1
    return count
