"""The photo pipeline, run at once on one upload for images that are not listing photos (avatars).

Listing photos are checked on arrival and re-encoded later by a task; a single
small image whose owner waits for the answer goes through the same steps in one
call: the header check (type, bytes, pixel count, decompression bomb), then
``reencode`` (orientation applied, every piece of metadata dropped, a fresh
JPEG), then a smaller bound on the longest side when the purpose needs one.
"""

from __future__ import annotations

from io import BytesIO
from typing import BinaryIO

from PIL import Image

from .processing import JPEG_QUALITY, Encoded, inspect_image, reencode

# What a caller stores: always our JPEG, whatever the upload's name said.
EXTENSION = "jpg"


def encode_upload(stream: BinaryIO, size: int, *, max_side: int) -> Encoded:
    """Check and re-encode an upload as a clean JPEG at most ``max_side`` pixels long. Raises ``ImageRejected``."""
    inspect_image(stream, size)
    stream.seek(0)
    encoded = reencode(stream.read())
    if max(encoded.width, encoded.height) <= max_side:
        return encoded
    # Our own JPEG, just written: shrink it and write a fresh one (still no metadata).
    image = Image.open(BytesIO(encoded.data))
    image.draft("RGB", (max_side, max_side))
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Encoded(data=out.getvalue(), width=clean.width, height=clean.height)
