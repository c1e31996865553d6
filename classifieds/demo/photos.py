"""A small pool of generated demo photos per top category, saved once to the default storage under ``demo/``."""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import random
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from classifieds.taxonomy.models import Category

from .generate import PhotoAsset

PHOTO_SIZE = (800, 600)
PHOTO_POOL_TARGET = 40  # images in all; a million listings share them


def draw_photo(title: str, hue: float, variant: int) -> bytes:
    """An 800×600 JPEG: the top category's colour, a few shapes and its name. Same input, same bytes."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(f"photo:{title}:{variant}")
    w, h = PHOTO_SIZE

    def colour(light: float, sat: float, shift: float = 0.0) -> tuple[int, int, int]:
        r, g, b = colorsys.hls_to_rgb((hue + shift) % 1.0, light, sat)
        return int(r * 255), int(g * 255), int(b * 255)

    image = Image.new("RGB", (w, h), colour(0.82, 0.45))
    draw = ImageDraw.Draw(image)
    for _ in range(6 + variant * 2):
        x, y, r = rng.randrange(w), rng.randrange(h - 120), rng.randrange(40, 170)
        fill = colour(rng.uniform(0.35, 0.7), rng.uniform(0.4, 0.8), rng.uniform(-0.08, 0.08))
        shape = rng.randrange(3)
        if shape == 0:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif shape == 1:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=fill)
        else:
            draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=fill)
    draw.rectangle((0, h - 120, w, h), fill=colour(0.25, 0.5))
    try:
        font, small = ImageFont.load_default(size=44), ImageFont.load_default(size=26)
    except (TypeError, OSError):  # Pillow built without FreeType: the bitmap font
        font = small = ImageFont.load_default()
    draw.text((32, h - 105), title[:30], fill=(255, 255, 255), font=font)
    draw.text((32, h - 48), f"Bozor demo · {variant + 1}", fill=(230, 230, 230), font=small)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def ensure_photo_pool(tops: Sequence[Category]) -> dict[int, list[PhotoAsset]]:
    """The shared images of each top category; files missing (or different) in storage are written."""
    per_top = max(2, math.ceil(PHOTO_POOL_TARGET / max(1, len(tops))))
    if per_top * len(tops) > PHOTO_POOL_TARGET and len(tops) * 2 <= PHOTO_POOL_TARGET:
        per_top = max(2, PHOTO_POOL_TARGET // len(tops))
    pool: dict[int, list[PhotoAsset]] = {}
    for index, top in enumerate(tops):
        hue = (index * 0.61803) % 1.0  # golden-ratio steps: neighbouring categories differ in colour
        assets = []
        for variant in range(per_top):
            # Latin only: Pillow's built-in font has no Cyrillic glyphs.
            data = draw_photo(top.name_uz or top.name, hue, variant)
            checksum = hashlib.sha256(data).hexdigest()
            path = f"demo/{top.slug}-{variant + 1}.jpg"
            if default_storage.exists(path):
                with default_storage.open(path, "rb") as existing:
                    if hashlib.sha256(existing.read()).hexdigest() != checksum:
                        default_storage.delete(path)
            if not default_storage.exists(path):
                saved = default_storage.save(path, ContentFile(data))
                if saved != path:  # shared paths are the point: never a renamed copy
                    raise RuntimeError(f"demo photo saved as {saved!r} instead of {path!r}")
            assets.append(PhotoAsset(path, PHOTO_SIZE[0], PHOTO_SIZE[1], checksum))
        pool[top.pk] = assets
    return pool
