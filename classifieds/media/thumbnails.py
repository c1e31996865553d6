"""Thumbnail URLs of a stored image: the one helper behind every ``<img srcset>`` (cards, gallery, dashboard).

sorl-thumbnail makes them; a thumbnail of a stored file never changes, so the URLs
are kept in the per-process "local" cache: a page of 40 cards costs no query and
no sorl lookup once warm. URLs go through the media storage, so ``CDN_BASE_URL``
fronts them when set.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import caches


def thumbnail_urls(image, geometries: Sequence[str], **options) -> list[str]:
    """URLs of ``image`` in each sorl ``geometry`` ("240", "480x360") with sorl ``options`` (crop, upscale)."""
    extra = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    key = f"thumbs:{image.name}:{','.join(geometries)}:{extra}"
    cache = caches["local"]
    urls = cache.get(key)
    if urls is None:
        from sorl.thumbnail import get_thumbnail

        urls = [get_thumbnail(image, geometry, **options).url for geometry in geometries]
        cache.set(key, urls, None)
    return urls
