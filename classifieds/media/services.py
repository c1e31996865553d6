"""Writes on listing photos: add (upload), process, reorder, replace, delete."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from classifieds.audit.services import event_record
from classifieds.imaging.processing import ImageRejected, inspect_image, reencode, sha256_of
from classifieds.listings.models import Listing
from classifieds.listings.services import listing_photos_changed

from .models import ListingPhoto

logger = logging.getLogger(__name__)

MAX_PHOTOS = 12
# A photo whose processing task died is retried by the minutely sweep once nothing happened to it for
# STUCK_AFTER, so within two minutes; after MAX_PROCESSING_ATTEMPTS tries it is failed for the seller to see.
STUCK_AFTER = timedelta(seconds=60)
MAX_PROCESSING_ATTEMPTS = 3


class PhotoRejected(ImageRejected):
    """An upload refused before it is stored (type, size, count, duplicate)."""


def _upload_name(extension: str, now: datetime | None = None) -> str:
    now = now or timezone.now()
    return f"listings/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"


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
    # Count the try before doing the work: a try that kills the worker (memory, a crash in a
    # decoder) must count too, or a poisonous photo would be retried for ever.
    claimed = ListingPhoto.objects.filter(
        pk=photo.pk, status=ListingPhoto.Status.PROCESSING, attempts__lt=MAX_PROCESSING_ATTEMPTS
    ).update(attempts=F("attempts") + 1, attempted_at=timezone.now())
    if not claimed:
        return photo_fail(photo, _("The photo could not be processed; add it again."))
    raw_name = photo.image.name
    try:
        with default_storage.open(raw_name, "rb") as stream:
            encoded = reencode(stream.read())
    except ImageRejected as exc:
        return photo_fail(photo, exc.reason)
    except FileNotFoundError:
        return photo_fail(photo, _("The upload was lost; add the photo again."))
    name = default_storage.save(_upload_name("jpg"), ContentFile(encoded.data))
    with transaction.atomic():
        current = ListingPhoto.objects.select_for_update().filter(pk=photo.pk).first()
        if current is None or current.status != ListingPhoto.Status.PROCESSING:  # deleted, or done by a retry
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
        listing_photos_changed(listing=photo.listing)
    default_storage.delete(raw_name)
    return current


def photo_fail(photo: ListingPhoto, reason: str) -> ListingPhoto:
    """Mark a photo failed with a reason the seller sees, unless a concurrent try already finished it."""
    raw_name = photo.image.name
    failed = ListingPhoto.objects.filter(pk=photo.pk, status=ListingPhoto.Status.PROCESSING).update(
        status=ListingPhoto.Status.FAILED, error=reason[:200], image=""
    )
    if failed and raw_name:
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
    listing_photos_changed(listing=listing, actor=actor)
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
    listing_photos_changed(listing=photo.listing, actor=actor)
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


def photos_redrive(*, stuck_after: timedelta = STUCK_AFTER, limit: int = 100) -> int:
    """Retry photos whose processing died (worker killed mid-way, task lost); fail those out of tries.

    A photo is stuck when it is still ``processing`` and nothing started or queued a try for
    ``stuck_after``. Each retry is its own task, so one poisonous photo cannot take the sweep down.
    Returns how many photos were retried or failed.
    """
    from .tasks import process_photo_task

    now = timezone.now()
    cutoff = now - stuck_after
    stuck = list(
        ListingPhoto.objects.filter(status=ListingPhoto.Status.PROCESSING)
        .filter(Q(attempted_at__lt=cutoff) | Q(attempted_at__isnull=True, created_at__lt=cutoff))
        .order_by("pk")[:limit]
    )
    for photo in stuck:
        if photo.attempts >= MAX_PROCESSING_ATTEMPTS:
            logger.warning("photo %s failed %s processing attempts; marked failed", photo.pk, photo.attempts)
            photo_fail(photo, _("The photo could not be processed; add it again."))
            continue
        # Queued now: the next sweep waits another ``stuck_after`` before queueing it again.
        ListingPhoto.objects.filter(pk=photo.pk, status=ListingPhoto.Status.PROCESSING).update(attempted_at=now)
        logger.info("photo %s stuck in processing (%s tries so far); queued again", photo.pk, photo.attempts)
        process_photo_task(photo.pk)
    return len(stuck)
