"""Names of the page-cache stamps of listing pages (``core.pagecache``), shared by the pages and the indexer.

- ``EVERYWHERE``: every cached page (bumped when all prices change: a new exchange rate);
- ``ANY_LISTING``: pages showing listings from anywhere (home, ``/search/``), bumped by every indexed change;
- ``category_stamp(slug)``: results pages of a category subtree (in any place), bumped for every category
  in the path of a changed listing, by its slug in each language;
- ``listing_stamp(pk)``: detail pages, in ``LISTING_BUCKETS`` buckets so the stamps stay few.
"""

from __future__ import annotations

EVERYWHERE = "pages"
ANY_LISTING = "listings"
LISTING_BUCKETS = 1024


def category_stamp(slug: str) -> str:
    return f"category:{slug}"


def listing_stamp(pk: int) -> str:
    return f"listing:{int(pk) % LISTING_BUCKETS}"
