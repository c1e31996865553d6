"""Decoding and re-encoding rules, without the database."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from classifieds.imaging.processing import MAX_BYTES, ImageRejected, inspect_image, reencode

from .images import GPS_IFD, ORIENTATION, bomb_png, jpeg_bytes, png_bytes, webp_bytes


class TestInspect:
    @pytest.mark.parametrize("data", [jpeg_bytes(), png_bytes(), webp_bytes()], ids=["jpeg", "png", "webp"])
    def test_it_accepts_jpeg_png_and_webp(self, data):
        assert inspect_image(BytesIO(data), len(data)).width > 0

    def test_it_rejects_what_is_not_an_image(self):
        with pytest.raises(ImageRejected, match="JPEG, PNG, WebP"):
            inspect_image(BytesIO(b"%PDF-1.7 not a photo"), 20)

    def test_it_rejects_images_of_other_formats(self):
        out = BytesIO()
        Image.new("RGB", (8, 8)).save(out, "GIF")
        with pytest.raises(ImageRejected):
            inspect_image(out, out.tell())

    def test_it_rejects_files_over_15_mb_before_reading_them(self):
        with pytest.raises(ImageRejected, match="15"):
            inspect_image(BytesIO(b""), MAX_BYTES + 1)

    def test_it_rejects_a_decompression_bomb_from_its_header(self):
        data = bomb_png()
        assert len(data) < 200
        with pytest.raises(ImageRejected, match="пикселей"):
            inspect_image(BytesIO(data), len(data))

    def test_a_moderately_huge_image_is_rejected_too(self):
        data = bomb_png(8000, 8000)  # 64 MP: under Pillow's own limit, over ours
        with pytest.raises(ImageRejected, match="пикселей"):
            inspect_image(BytesIO(data), len(data))


class TestReencode:
    def test_it_applies_the_exif_orientation_and_strips_all_metadata(self):
        encoded = reencode(jpeg_bytes(80, 40, orientation=6, gps=True))
        assert (encoded.width, encoded.height) == (40, 80)  # rotated upright
        image = Image.open(BytesIO(encoded.data))
        assert image.format == "JPEG"
        exif = image.getexif()
        assert GPS_IFD not in exif and ORIENTATION not in exif and len(exif) == 0
        assert not exif.get_ifd(GPS_IFD)
        assert "exif" not in image.info and "icc_profile" not in image.info

    def test_transparent_png_becomes_a_jpeg_on_white(self):
        encoded = reencode(png_bytes())
        image = Image.open(BytesIO(encoded.data))
        assert image.mode == "RGB"

    def test_big_photos_are_shrunk_to_2560_pixels(self):
        encoded = reencode(jpeg_bytes(3000, 1000))
        assert encoded.width == 2560 and encoded.height in (853, 854)
