"""Direct browser upload to S3: a presigned POST, then an attach call that checks what arrived.

Only when the media storage is S3 (``MEDIA_BUCKET``); otherwise photos go
through Django as a multipart POST of the posting form (``classifieds.web.views.posting``).
"""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from classifieds.accounts.decorators import login_required
from classifieds.imaging.processing import MAX_BYTES
from classifieds.listings.loaders import load_own_listing

from . import services

PRESIGN_SECONDS = 600
CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}


def _prefix(listing_id: int) -> str:
    return f"uploads/{listing_id}/"


def _require_s3() -> None:
    if not services.direct_upload_enabled():
        raise Http404(_("Direct upload is not available."))


@login_required
@require_POST
def upload_presign(request: HttpRequest) -> HttpResponse:
    """A presigned S3 POST for one photo of one's own listing: size and type are enforced by S3 itself."""
    _require_s3()
    listing = load_own_listing(request, request.POST.get("listing"))
    content_type = request.POST.get("content_type", "")
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        size = -1
    if content_type not in CONTENT_TYPES:
        return JsonResponse({"error": _("This is not a photo we can read: use JPEG, PNG, WebP or HEIC.")}, status=400)
    if not 0 < size <= MAX_BYTES:
        return JsonResponse({"error": _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}}, status=400)
    if services.live_photos(listing).count() >= services.MAX_PHOTOS:
        return JsonResponse(
            {"error": _("A listing can have at most %(max)s photos.") % {"max": services.MAX_PHOTOS}}, status=400
        )
    key = f"{_prefix(listing.pk)}{uuid.uuid4().hex}"
    client = default_storage.bucket.meta.client
    post = client.generate_presigned_post(
        default_storage.bucket_name,
        key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=PRESIGN_SECONDS,
    )
    return JsonResponse({"url": post["url"], "fields": post["fields"], "key": key})


@login_required
@require_POST
def upload_attach(request: HttpRequest) -> HttpResponse:
    """Attach an object uploaded with a presigned POST: it must exist with the declared size and type."""
    _require_s3()
    listing = load_own_listing(request, request.POST.get("listing"))
    key = request.POST.get("key", "")
    if not key.startswith(_prefix(listing.pk)) or "/" in key[len(_prefix(listing.pk)) :]:
        raise Http404(_("No such upload."))
    client = default_storage.bucket.meta.client
    try:
        head = client.head_object(Bucket=default_storage.bucket_name, Key=key)
    except client.exceptions.ClientError:
        raise Http404(_("No such upload.")) from None
    declared_size, declared_type = request.POST.get("size", ""), request.POST.get("content_type", "")
    if str(head["ContentLength"]) != declared_size or head.get("ContentType") != declared_type:
        client.delete_object(Bucket=default_storage.bucket_name, Key=key)
        return JsonResponse({"error": _("The uploaded file does not match what was announced.")}, status=400)
    with default_storage.open(key, "rb") as stored:
        data = stored.read(MAX_BYTES + 1)  # at most 15 MB, enforced by the presigned policy
    upload = SimpleUploadedFile(request.POST.get("name", "")[:200] or "photo", data, content_type=declared_type)
    try:
        photo = services.photo_add(listing=listing, upload=upload, actor=request.user)
    except services.PhotoRejected as exc:
        return JsonResponse({"error": exc.reason}, status=400)
    finally:
        # The accepted bytes now live under the photo's own name; the upload slot is not kept.
        client.delete_object(Bucket=default_storage.bucket_name, Key=key)
    return JsonResponse({"photo": photo.pk, "status": photo.status})
