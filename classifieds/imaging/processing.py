"""Image decoding and re-encoding for listing photos: pure functions, no database.

Uploads are checked cheaply on arrival (``inspect_image`` reads the header only)
and re-encoded in a Huey task (``reencode``): EXIF orientation is applied, then
every piece of metadata (GPS included) is dropped by writing a fresh JPEG.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# iPhones save HEIC: Pillow decodes it only through this plugin (libheif). Decoding applies the
# HEIF rotation, and the result is re-encoded to JPEG like every other upload: no HEIC is served.
register_heif_opener()

MAX_BYTES = 15 * 1024 * 1024
# A 12-megapixel phone photo is ~12M pixels; beyond this a small file may decode into gigabytes.
MAX_PIXELS = 50_000_000
# What we keep: long enough for a zoomed gallery, far smaller than a camera original.
MAX_SIDE = 2560
JPEG_QUALITY = 85
# Pillow names: MPO is a JPEG with a second frame (many phone cameras); HEIC/HEIF files open as
# "HEIF" through pillow-heif.
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "HEIC", "AVIF"}
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


class ImageRejected(Exception):
    """The file is not a photo we accept; ``reason`` is shown next to the file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


def sha256_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _open(stream: BinaryIO) -> Image.Image:
    """Open (header only) with the decompression-bomb limit as an error, not a warning."""
    stream.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(_("The image has too many pixels.")) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ImageRejected(_("This is not a photo we can read: use JPEG, PNG, WebP or HEIC.")) from None
    if image.format not in ALLOWED_FORMATS:
        raise ImageRejected(_("This is not a photo we can read: use JPEG, PNG, WebP or HEIC."))
    if image.width * image.height > MAX_PIXELS:
        raise ImageRejected(_("The image has too many pixels."))
    return image


def inspect_image(stream: BinaryIO, size: int) -> ImageInfo:
    """Size, type and pixel count of an upload, without decoding it. Raises ``ImageRejected``."""
    if size > MAX_BYTES:
        raise ImageRejected(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if size == 0:
        raise ImageRejected(_("The file is empty."))
    image = _open(stream)
    info = ImageInfo(format=image.format or "", width=image.width, height=image.height)
    stream.seek(0)
    return info


def reencode(data: bytes) -> Encoded:
    """Decode, apply EXIF orientation, drop all metadata, shrink to ``MAX_SIDE`` and write a fresh JPEG."""
    source = BytesIO(data)
    image = _open(source)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            if image.format in {"JPEG", "MPO"}:
                # Let libjpeg decode at a reduced scale when the photo is far larger than we keep.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(_("The file is damaged and cannot be read.")) from None
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = BytesIO()
    # A new image object carries no EXIF, XMP or ICC data unless passed: nothing is.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Encoded(data=out.getvalue(), width=clean.width, height=clean.height)
