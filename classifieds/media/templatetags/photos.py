"""``{% photo_img photo "gallery" %}``: a listing photo as a responsive, lazily loaded <img>.

Thumbnails come from sorl-thumbnail in a few widths (``srcset``/``sizes``);
their URLs go through the media storage, so ``CDN_BASE_URL`` fronts them when
set. Width and height are always written, so the page never shifts while
images arrive.
"""

from __future__ import annotations

import logging

from django import template
from django.core.cache import caches
from django.utils.html import format_html

register = template.Library()
logger = logging.getLogger(__name__)

WIDTHS = (240, 480, 960)
# (widths offered, sizes attribute, width written on the tag)
STYLES = {
    "small": ((240, 480), "(min-width: 600px) 160px, 45vw", 240),
    "gallery": (WIDTHS, "(min-width: 900px) 640px, 100vw", 960),
}


def photo_thumbs(photo, widths: tuple[int, ...]) -> list[tuple[int, str]]:
    """[(width, url)] of the photo's thumbnails; cached per process (a stored file never changes)."""
    key = f"photo:{photo.image.name}:{','.join(map(str, widths))}"
    cache = caches["local"]
    thumbs = cache.get(key)
    if thumbs is None:
        from sorl.thumbnail import get_thumbnail

        thumbs = [(width, get_thumbnail(photo.image, f"{width}", upscale=False).url) for width in widths]
        cache.set(key, thumbs, None)
    return thumbs


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
        '<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async">',
        thumbs[-1][1],
        srcset,
        sizes,
        alt,
        width,
        height,
        "lazy" if lazy else "eager",
    )
