"""Where paid promotion meets search: a ranking boost and pinned "top" slots.

Pinned slots: on a category page's first page, up to ``TOP_SLOTS`` listings
with a running "top" promotion that also match the page's filters, in an order
that rotates every hour (md5 of id and the hour) so every buyer of a slot gets
its turn. The running check is made here, at query time (``ends_at > now``), so
an expired top is never pinned even when the expiry task is late. Relevance is
not boosted: placement is bought as a pinned slot, not as rank.
Both are read on every search, so they must stay cheap (running tops are few).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

if TYPE_CHECKING:
    from .backends.base import SearchBackend
    from .query import ListingQuery

TOP_SLOTS = 3


def boost_sql() -> str:
    """A SQL factor (≥ 1) multiplying relevance, over the listing row aliased ``l``."""
    return "1.0"


def opensearch_functions() -> list[dict]:
    """``function_score`` functions boosting promoted documents (OpenSearch's ``boost_sql``)."""
    return []


def rotation_seed(now: datetime) -> str:
    """Changes every hour: which running tops get the few slots rotates with it."""
    return now.strftime("%Y%m%d%H")


def pinned_listing_ids(backend: SearchBackend, query: ListingQuery, *, limit: int = TOP_SLOTS) -> list[int]:
    """Ids of promoted listings matching ``query`` to show above the results on its first page."""
    if query.category_id is None or limit <= 0:
        return []
    from classifieds.promotions.models import Promotion, PromotionType

    now = timezone.now()
    candidates = sorted(
        set(
            Promotion.objects.live(now)
            .of_type(PromotionType.TOP)
            .filter(listing__category__path__contains=[query.category_id])
            .values_list("listing_id", flat=True)
        )
    )
    if not candidates:
        return []
    where = getattr(backend, "_where", None)
    if where is None:
        # A backend without SQL filters: pin only on unfiltered pages, where every candidate matches.
        if not query.is_browse or query.location_id is not None:
            return []
        sql_where, params = "l.status = 'active' AND l.expires_at > now()", []
    else:
        sql_where, params = where(query)
    sql = f"""SELECT l.id FROM listings_listing l WHERE {sql_where} AND l.id = ANY(%s)
              ORDER BY md5(l.id::text || %s), l.id LIMIT %s"""  # noqa: S608  (our own SQL fragments)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, candidates, rotation_seed(now), limit])
        return [row[0] for row in cursor.fetchall()]


def document_flags(listing_ids: list[int]) -> dict[int, dict]:
    """Promotion fields of the search documents (OpenSearch) of ``listing_ids``, in one query."""
    from django.db.models import Max

    from classifieds.promotions.models import Promotion, PromotionType

    top_until = dict(
        Promotion.objects.live()
        .of_type(PromotionType.TOP)
        .filter(listing_id__in=listing_ids)
        .values("listing_id")
        .annotate(ends=Max("ends_at"))
        .values_list("listing_id", "ends")
    )
    return {
        pk: {"promoted": pk in top_until, "top_until": top_until[pk].isoformat() if pk in top_until else None}
        for pk in listing_ids
    }
