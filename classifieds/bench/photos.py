"""Photo-processing benchmark: a 12-megapixel JPEG through the pipeline, timed, with peak memory.

    .venv/bin/python -m classifieds.bench.photos [--runs 3]

Steps measured separately: ``reencode`` (decode, EXIF orientation, strip
metadata, shrink to 2560 px, JPEG) and three WebP thumbnails (240/480/960 px
wide, as ``photo_img`` asks sorl-thumbnail for them, done here with Pillow
directly so no database or storage is needed). Peak memory is the process's
peak RSS growth (``ru_maxrss``) and Python-level allocations (``tracemalloc``
does not see Pillow's C buffers, so RSS is the number that matters).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from io import BytesIO

from PIL import Image

THUMB_WIDTHS = (240, 480, 960)


def make_12mp_jpeg() -> bytes:
    """4000 x 3000 with real detail (noise + gradient compresses like a photo), EXIF orientation 6 and GPS."""
    noise = Image.effect_noise((4000, 3000), 64).convert("L")
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    image = Image.merge("RGB", (noise, gradient, Image.eval(noise, lambda v: 255 - v)))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (41.0, 18.0, 30.0), 3: "E", 4: (69.0, 16.0, 12.0)}
    out = BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def thumbnails(data: bytes) -> list[int]:
    sizes = []
    for width in THUMB_WIDTHS:
        image = Image.open(BytesIO(data))
        image.draft("RGB", (width, width))
        image.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
        out = BytesIO()
        image.save(out, "WEBP", quality=82)
        sizes.append(out.tell())
    return sizes


def main() -> None:
    import django

    django.setup()
    from classifieds.imaging.processing import reencode

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = make_12mp_jpeg()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times_encode, times_thumbs = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        encoded = reencode(source)
        middle = time.perf_counter()
        thumbs = thumbnails(encoded.data)
        end = time.perf_counter()
        times_encode.append(middle - start)
        times_thumbs.append(end - middle)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"source: 4000x3000 JPEG, {len(source) / 1e6:.2f} MB, EXIF orientation 6 + GPS")
    print(f"stored: {encoded.width}x{encoded.height} JPEG, {len(encoded.data) / 1e6:.2f} MB")
    print(f"thumbnails: {', '.join(f'{w}px {s / 1e3:.0f} kB' for w, s in zip(THUMB_WIDTHS, thumbs, strict=True))}")
    print(f"reencode (decode+orient+strip+shrink+encode): median {statistics.median(times_encode) * 1000:.0f} ms")
    print(f"3 thumbnails: median {statistics.median(times_thumbs) * 1000:.0f} ms")
    total = [a + b for a, b in zip(times_encode, times_thumbs, strict=True)]
    print(f"total per photo: median {statistics.median(total) * 1000:.0f} ms over {args.runs} runs")
    print(f"peak RSS: {rss_after / 1024:.0f} MB (growth during the runs: {(rss_after - rss_before) / 1024:.0f} MB)")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
    main()
