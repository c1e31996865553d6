"""Test images built in memory: real JPEG/PNG bytes, EXIF with GPS, a decompression bomb."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(
    width: int = 64, height: int = 48, color=(200, 30, 30), *, orientation: int | None = None, gps=False
) -> bytes:
    image = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (41.0, 18.0, 30.0), 3: "E", 4: (69.0, 16.0, 12.0)}
        exif[0x010F] = "PhoneMaker"  # camera make: metadata that must go too
    out = BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes() if (orientation or gps) else b"")
    return out.getvalue()


def png_bytes(width: int = 32, height: int = 32, color=(0, 120, 200, 128)) -> bytes:
    out = BytesIO()
    Image.new("RGBA", (width, height), color).save(out, "PNG")
    return out.getvalue()


def webp_bytes(width: int = 32, height: int = 32) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (900 megapixels by default)."""
    raw = png_bytes(1, 1)
    ihdr_data = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr_data
    ihdr = struct.pack(">I", len(ihdr_data)) + chunk + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return raw[:8] + ihdr + raw[8 + 25 :]


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def heic_bytes(width: int = 80, height: int = 40, *, orientation: int | None = None, gps=False) -> bytes:
    """A real HEIC (HEVC-coded, as iPhones write it), left half red and right half blue, with EXIF."""
    import pillow_heif  # its own encoder API: registering it with Pillow is the code under test's job

    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (41.0, 18.0, 30.0), 3: "E", 4: (69.0, 16.0, 12.0)}
        exif[0x010F] = "Apple"
    out = BytesIO()
    # Like an iPhone, the encoder stores the orientation as the HEIF rotation (irot), the one decoders apply.
    pillow_heif.from_pillow(image).save(out, quality=95, exif=exif.tobytes())
    return out.getvalue()
