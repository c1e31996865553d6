"""``{% photo_img photo "gallery" %}``: a listing photo as a responsive, lazily loaded <img>;
``{{ photo|card_thumbs }}``: a card's cover in two cropped sizes.

Thumbnails come from ``classifieds.media.thumbnails`` in a few widths
(``srcset``/``sizes``). Width and height are always written, so the page never
shifts while images arrive.
"""

from __future__ import annotations

import logging

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from classifieds.media.thumbnails import thumbnail_urls

register = template.Library()
logger = logging.getLogger(__name__)

WIDTHS = (240, 480, 960)
# (widths offered, sizes attribute, width written on the tag)
STYLES = {
    "small": ((240, 480), "(min-width: 600px) 160px, 45vw", 240),
    "gallery": (WIDTHS, "(min-width: 900px) 640px, 100vw", 960),
}


CARD_SIZES = {"small": "240x180", "large": "480x360"}


def photo_thumbs(photo, widths: tuple[int, ...]) -> list[tuple[int, str]]:
    """[(width, url)] of the photo's thumbnails, never upscaled."""
    urls = thumbnail_urls(photo.image, [f"{width}" for width in widths], upscale=False)
    return list(zip(widths, urls, strict=True))


@register.filter
def card_thumbs(photo) -> dict[str, str] | None:
    """URLs of a card's cover photo in two widths, for ``srcset`` (None when it cannot be read)."""
    if photo is None or not photo.image:
        return None
    try:
        urls = thumbnail_urls(photo.image, list(CARD_SIZES.values()), crop="center")
    except Exception:  # a missing or broken file must not break a results page
        logger.warning("no thumbnail for %s", photo.image.name, exc_info=True)
        return None
    return dict(zip(CARD_SIZES, urls, strict=True))


@register.simple_tag
def photo_img(photo, style: str = "gallery", alt: str = "", lazy: bool = True) -> str:
    if not photo.image or photo.status == "failed":
        return ""
    widths, sizes, width = STYLES[style]
    height = round(width * photo.height / photo.width) if photo.width and photo.height else round(width * 3 / 4)
    try:
        thumbs = photo_thumbs(photo, widths)
    except Exception:  # a missing or unreadable file must not break the page
        logger.warning("no thumbnails for photo %s", photo.pk, exc_info=True)
        return format_html('<img src="{}" alt="{}" width="{}" height="{}">', photo.image.url, alt, width, height)
    srcset = ", ".join(f"{url} {w}w" for w, url in thumbs)
    return format_html(
        # An eager photo is the page's main one (the gallery's): the likely LCP, fetched first.
        '<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" loading="{}" decoding="{}"{}>',
        thumbs[-1][1],
        srcset,
        sizes,
        alt,
        width,
        height,
        "lazy" if lazy else "eager",
        "async" if lazy else "auto",
        "" if lazy else mark_safe(' fetchpriority="high"'),  # noqa: S308 - a constant
    )
