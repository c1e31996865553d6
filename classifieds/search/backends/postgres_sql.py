"""The PostgreSQL backend's SQL that is not built per query: denormalizing listings, terms, precomputed counts.

Kept apart from ``postgres.py`` (the backend's logic); the OpenSearch backend runs
``DENORMALIZE_SQL`` too before it reads its documents, and ``seed_demo`` computes the same columns
inside its load (``insert_denormalized``, or ``denormalize`` when it keeps the indexes). Also the
parts a text query ORs (``RU_PART``, ``LATIN_PART``) and ``distinct_parts``, which both the backend
and its estimates use.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, transaction

from classifieds.listings.models import PRICE_UZS_SQL
from classifieds.listings.quality import REJECTED_TOPIC, quality_sql

from ..query import BOOLEAN, CATEGORY, CONDITION, LOCATION, PHOTO, PRICE, PRICE_LADDER, SELLER
from ..text import has_operators

LISTINGS = "listings_listing"
# Text matches as the row source: ``t`` carries every column the filters, sorts and counts read.
TEXT_FIRST_FROM = "t l"
TEXT_COLUMNS = (
    "l.id, l.status, l.expires_at, l.category_id, l.facet_values, l.attrs_num, l.price_uzs, l.refreshed_at,"
    " l.published_at, l.geo_lat, l.geo_lon"
)
# A listing's point on the earth cube (earthdistance), as indexed by listing_srp_geo.
POINT_SQL = "ll_to_earth(l.geo_lat, l.geo_lon)"
ACTIVE = "l.status = 'active' AND l.expires_at > now()"
LADDER_SQL = "ARRAY[" + ",".join(str(v) for v in PRICE_LADDER) + "]::bigint[]"


# The text vectors of a listing's own words: its title (A) and description (C). Most of the cost of
# computing the search columns, and it reads one table only, so a bulk computation runs it apart, as a
# parallel query (``_own_text``); otherwise it is the ``own`` part of DENORMALIZE_SQL.
OWN_TEXT_SQL = """
SELECT l.id,
  setweight(to_tsvector('bozor_ru', l.title), 'A')
    || setweight(to_tsvector('bozor_lat', bozor_uz_stem(bozor_translit(l.title))), 'A') AS title_vector,
  setweight(to_tsvector('bozor_ru', l.description), 'C')
    -- Descriptions written in Uzbek also by their Latin stems (Russian stemming does not know Uzbek endings).
    || CASE WHEN l.language = 'uz'
         THEN setweight(to_tsvector('bozor_lat', bozor_uz_stem(bozor_translit(l.description))), 'C')
         ELSE ''::tsvector END AS description_vector
FROM __SOURCE__ l WHERE __CONDITION__
"""

# The names of a place or category and its ancestors (``a``), in both configurations, weight D.
NAMES_VECTOR = """setweight(to_tsvector('bozor_ru', string_agg(concat_ws(' ', a.name_ru, a.name_uz), ' ')), 'D')
    || setweight(to_tsvector('bozor_lat',
         bozor_uz_stem(bozor_translit(string_agg(concat_ws(' ', a.name_ru, a.name_uz), ' ')))), 'D')"""

# Everything the search reads from a listing, recomputed from the editing tables for the rows in
# ``target`` (a CTE of ids with their category, location and owner), as ``rows``; COMPUTED then gives
# each search column from the listing ``l`` and its ``rows``.
_ROWS = f"""
WITH target AS (
  SELECT l.id, l.category_id, l.location_id, l.owner_id, l.description FROM __SOURCE__ l WHERE __CONDITION__
),
own AS MATERIALIZED (__OWN__),
-- The Latin skeleton (bozor_uz_stem(bozor_translit(...))) of a text is that of its words, so it is taken
-- once per attribute, option, category and place and joined per listing: equal to taking it of the
-- joined text, at a fraction of the cost (most of a rebuild's time was these functions).
-- Every part is MATERIALIZED, computed once per statement: inlined, a planner that believed the catalog
-- empty (statistics taken before it was loaded) put them inside nested loops and re-ran the functions
-- per listing and attribute value (a 3,000-listing seed took 28 s to 2 minutes instead of 3 s).
attr AS MATERIALIZED (
  SELECT a.id, a.key, concat_ws(' ', a.label_ru, a.label_uz) AS label,
    bozor_uz_stem(bozor_translit(concat_ws(' ', a.label_ru, a.label_uz))) AS label_lat
  FROM taxonomy_attribute a
),
opt AS MATERIALIZED (
  SELECT o.id, concat_ws(' ', o.label_ru, o.label_uz) AS label,
    bozor_uz_stem(bozor_translit(concat_ws(' ', o.label_ru, o.label_uz))) AS label_lat
  FROM taxonomy_attributeoption o
),
av AS MATERIALIZED (
  SELECT v.listing_id,
    array_agg(v.option_id) FILTER (WHERE v.option_id IS NOT NULL) AS options,
    array_agg({BOOLEAN} + v.attribute_id) FILTER (WHERE v.value_bool) AS bools,
    jsonb_object_agg(a.key, v.value_number) FILTER (WHERE v.value_number IS NOT NULL) AS nums,
    count(DISTINCT v.attribute_id) AS filled,
    string_agg(concat_ws(' ',
      CASE WHEN v.value_bool IS NOT TRUE AND v.value_number IS NULL THEN NULL ELSE a.label END,
      o.label, v.value_text,
      CASE WHEN v.value_number IS NOT NULL THEN trim_scale(v.value_number)::text END), ' ') AS text,
    -- A number has no letters: its skeleton is itself.
    string_agg(concat_ws(' ',
      CASE WHEN v.value_bool IS NOT TRUE AND v.value_number IS NULL THEN NULL ELSE a.label_lat END,
      o.label_lat, CASE WHEN v.value_text = '' THEN '' ELSE bozor_uz_stem(bozor_translit(v.value_text)) END,
      CASE WHEN v.value_number IS NOT NULL THEN trim_scale(v.value_number)::text END), ' ') AS text_lat
  FROM listings_listingattributevalue v
  JOIN attr a ON a.id = v.attribute_id
  LEFT JOIN opt o ON o.id = v.option_id
  WHERE v.listing_id = ANY(ARRAY(SELECT id FROM target))
  GROUP BY v.listing_id
),
photo AS MATERIALIZED (
  SELECT p.listing_id, count(*) FILTER (WHERE p.status = 'ready') AS ready
  FROM media_listingphoto p WHERE p.listing_id = ANY(ARRAY(SELECT id FROM target)) GROUP BY p.listing_id
),
cat AS MATERIALIZED (
  -- The names of a category and its ancestors (D), as a vector taken once per category, not per listing.
  SELECT c.id, c.path, {NAMES_VECTOR} AS names_vector,
    (SELECT count(*) FROM taxonomy_attribute x WHERE x.category_id = ANY(c.path)) AS attributes
  FROM taxonomy_category c JOIN taxonomy_category a ON a.id = ANY(c.path)
  WHERE c.id IN (SELECT category_id FROM target) GROUP BY c.id, c.path
),
rejected AS MATERIALIZED (
  SELECT e.subject_id::bigint AS listing_id, count(*) AS n FROM audit_event e
  WHERE e.topic = '__REJECTED__' AND e.subject_type = 'listings.listing'
    AND e.subject_id IN (SELECT id::text FROM target)
  GROUP BY e.subject_id
),
loc AS MATERIALIZED (
  -- The place's centre: its own coordinates, else the nearest ancestor's.
  SELECT c.id, c.path, {NAMES_VECTOR} AS names_vector,
    (array_agg(a.lat ORDER BY array_position(c.path, a.id) DESC) FILTER (WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL))[1] AS lat,
    (array_agg(a.lon ORDER BY array_position(c.path, a.id) DESC) FILTER (WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL))[1] AS lon
  FROM taxonomy_location c JOIN taxonomy_location a ON a.id = ANY(c.path)
  WHERE c.id IN (SELECT location_id FROM target) GROUP BY c.id, c.path
),
rows AS (
  SELECT t.id,
    coalesce(av.options, '{{}}') || coalesce(av.bools, '{{}}')
      || ARRAY(SELECT {CATEGORY} + x FROM unnest(cat.path) x)
      || ARRAY(SELECT {LOCATION} + x FROM unnest(loc.path) x)
      || CASE WHEN photo.listing_id IS NOT NULL THEN ARRAY[{PHOTO}] ELSE '{{}}'::int[] END
      || CASE WHEN u.is_business THEN ARRAY[{SELLER + 2}] ELSE ARRAY[{SELLER + 1}] END AS facets,
    coalesce(av.nums, '{{}}'::jsonb) AS nums,
    coalesce(av.text, '') AS attrs_text,
    coalesce(av.text_lat, '') AS attrs_lat,
    cat.names_vector || loc.names_vector AS names_vector,
    own.title_vector, own.description_vector,
    __QUALITY__ AS quality,
    loc.lat AS place_lat, loc.lon AS place_lon
  FROM target t
  JOIN cat ON cat.id = t.category_id
  JOIN loc ON loc.id = t.location_id
  JOIN accounts_user u ON u.id = t.owner_id
  JOIN own ON own.id = t.id
  LEFT JOIN av ON av.listing_id = t.id
  LEFT JOIN photo ON photo.listing_id = t.id
  LEFT JOIN rejected ON rejected.listing_id = t.id
)
""".replace("__REJECTED__", REJECTED_TOPIC).replace(  # noqa: S608
    "__QUALITY__",
    quality_sql(
        photos="photo.ready",
        description="t.description",
        filled="av.filled",
        applicable="cat.attributes",
        verified="u.phone_verified",
        rejections="rejected.n",
    ),
)
COMPUTED = {
    "price_uzs": PRICE_UZS_SQL,
    "facet_values": f"""rows.facets || CASE l.condition
      WHEN 'new' THEN ARRAY[{CONDITION + 1}] WHEN 'used' THEN ARRAY[{CONDITION + 2}] ELSE '{{}}'::int[] END""",
    "attrs_num": "rows.nums",
    "quality_score": "rows.quality",
    # The point "near me" measures from: the seller's map pin, else the place's centre.
    "geo_lat": "CASE WHEN l.lat IS NOT NULL AND l.lon IS NOT NULL THEN l.lat ELSE rows.place_lat END",
    "geo_lon": "CASE WHEN l.lat IS NOT NULL AND l.lon IS NOT NULL THEN l.lon ELSE rows.place_lon END",
    "search_vector": """rows.title_vector
    || setweight(to_tsvector('bozor_ru', rows.attrs_text), 'B')
    || setweight(to_tsvector('bozor_lat', rows.attrs_lat), 'B')
    || rows.description_vector
    || rows.names_vector""",
}
# The ids as an array an index is searched with (here and in ``av`` and ``photo``): joined to ``target``
# instead, the planner hashed the whole table for every chunk (each chunk of a rebuild read all 1M
# listings, 3.9M attribute values and 2.1M photos).
_UPDATE = (
    f"UPDATE {LISTINGS} l SET "  # noqa: S608
    + ",\n  ".join(f"{column} = {sql}" for column, sql in COMPUTED.items())
    + "\nFROM rows WHERE l.id = rows.id AND l.id = ANY(ARRAY(SELECT id FROM target))"
)
_OWN_INLINE = OWN_TEXT_SQL.replace("__CONDITION__", "l.id IN (SELECT id FROM target)")
DENORMALIZE_SQL = (_ROWS + _UPDATE).replace("__OWN__", _OWN_INLINE).replace("__SOURCE__", LISTINGS)
# The own text vectors computed beforehand into OWN_TABLE (``denormalize``).
OWN_TABLE = "denormalize_own"
_OWN_FROM_TABLE = f"SELECT * FROM {OWN_TABLE}"  # noqa: S608

# Words of titles (as written and as Latin skeletons), attribute options and category
# names: the vocabulary misspelt query words are corrected to.
TERMS_SQL = f"""
SELECT w, count(*) FROM (
  SELECT regexp_split_to_table(lower(l.title), '[^[:alnum:]]+') AS w FROM {LISTINGS} l WHERE __CONDITION__
  UNION ALL
  SELECT regexp_split_to_table(bozor_translit(l.title), '[^[:alnum:]]+') FROM {LISTINGS} l WHERE __CONDITION__
) s WHERE length(w) BETWEEN 3 AND 60 AND w !~ '^[0-9]+$' GROUP BY w
"""  # noqa: S608
CATALOG_TERMS_SQL = """
SELECT w, 1 FROM (
  SELECT regexp_split_to_table(lower(concat_ws(' ', label_ru, label_uz)), '[^[:alnum:]]+') AS w
  FROM taxonomy_attributeoption
  UNION SELECT regexp_split_to_table(lower(concat_ws(' ', name_ru, name_uz)), '[^[:alnum:]]+') FROM taxonomy_category
) s WHERE length(w) BETWEEN 3 AND 60 AND w !~ '^[0-9]+$'
"""

# Counts of unfiltered category pages, everywhere (region 0) and per region; value 0 is the total.
# Counted per leaf category and region first, then summed up the tree: counting each listing once per
# ancestor and region at once aggregated 6× the rows (96M at 1M listings, 22 s).
FACET_COUNTS_SQL = f"""
INSERT INTO search_facetcount (category_id, region_id, value, count)
SELECT c, r, base.v, sum(base.n)
FROM (
  SELECT l.category_id, loc.path[1] AS region, v, count(*) AS n
  FROM {LISTINGS} l
  JOIN taxonomy_location loc ON loc.id = l.location_id
  CROSS JOIN LATERAL unnest(array_prepend(0, l.facet_values
    || CASE WHEN l.price_uzs IS NULL THEN '{{}}'::int[]
            ELSE ARRAY[{PRICE} + width_bucket(l.price_uzs, {LADDER_SQL})] END)) AS v
  WHERE {ACTIVE}
  GROUP BY 1, 2, 3
) base
JOIN taxonomy_category cat ON cat.id = base.category_id
CROSS JOIN LATERAL unnest(array_prepend(0, cat.path)) AS c
CROSS JOIN LATERAL unnest(ARRAY[0, base.region]) AS r
GROUP BY c, r, base.v
"""  # noqa: S608


RU_PART = "websearch_to_tsquery('bozor_ru', %s)"
LATIN_PART = "to_tsquery('bozor_lat', %s)"
# Words the Russian configuration keeps whole, as the Latin one does: lower-case Latin letters and digits.
PLAIN_LATIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def denormalize(cursor, low: int, high: int, *, chunk: int = 20_000, progress: bool = False) -> None:
    """Compute the search columns of listings ``low``…``high`` (ids), ``chunk`` rows per UPDATE.

    ``cursor``: run every chunk there, inside the caller's transaction (a bulk load); ``None``: each
    chunk in a transaction of its own on the default connection, so a rebuild holds no lock for long.
    """
    from tqdm import tqdm

    condition = "l.id BETWEEN %s AND %s"
    for start in tqdm(range(low, high + 1, chunk), unit=" chunks", disable=not progress, desc="search columns"):
        params = [start, min(high, start + chunk - 1)]
        if cursor is not None:
            _computed(cursor, _UPDATE, LISTINGS, condition, params)
        else:
            with transaction.atomic(), connection.cursor() as own:
                _computed(own, _UPDATE, LISTINGS, condition, params)


def insert_denormalized(cursor, stage: str) -> None:
    """INSERT the listings in ``stage`` (a table with the listings table's columns) into the listings table,
    their search columns computed on the way: a bulk load writes each row once, where COPY then
    ``denormalize`` wrote it twice and left the first version dead (half of a 1M seed's table).
    """
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
        [LISTINGS],
    )
    columns = [row[0] for row in cursor.fetchall()]
    values = ", ".join(COMPUTED.get(column, f'l."{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    insert = f"INSERT INTO {LISTINGS} ({names}) SELECT {values} FROM rows JOIN __SOURCE__ l ON l.id = rows.id"  # noqa: S608
    _computed(cursor, insert, stage, "TRUE", [])


def _computed(cursor, statement: str, source: str, condition: str, params: list[int]) -> None:
    """Run ``statement`` (an UPDATE or INSERT from ``rows``) for the listings of ``source`` that meet
    ``condition`` (SQL on ``l``, with ``params``), their own text vectors computed first (``_own_text``)."""
    _own_text(cursor, source, condition, params)
    sql = (_ROWS + statement).replace("__OWN__", _OWN_FROM_TABLE)
    cursor.execute(sql.replace("__SOURCE__", source).replace("__CONDITION__", condition), params or None)
    cursor.execute(f"DROP TABLE {OWN_TABLE}")


def _own_text(cursor, source: str, condition: str, params: list[int]) -> None:
    """OWN_TABLE for the listings of ``source`` that meet ``condition`` (SQL on ``l``, with ``params``).

    A query of its own, which PostgreSQL may run in parallel (an UPDATE or INSERT never is): most of the
    cost of the search columns, spread over the cores.
    """
    own = OWN_TEXT_SQL.replace("__SOURCE__", source).replace("__CONDITION__", condition)
    cursor.execute(f"CREATE TEMP TABLE {OWN_TABLE} ON COMMIT DROP AS {own}", params)


def distinct_parts(parts: list[tuple[str, tuple[Any]]]) -> list[tuple[str, tuple[Any]]]:
    """``parts`` without those that find the same lexemes as an earlier one.

    Latin words typed plainly are the same lexemes in both configurations (``kvartira`` as typed, as the
    Latin skeleton of ``квартира``, as its own skeleton): ORed three times they find what one finds, but
    the planner takes them as independent and estimated `kvartira` at 1M listings 3× too high, so it
    scanned the whole table for what the text index finds at once.
    """
    seen: set[tuple[str, Any]] = set()
    kept = []
    for sql, (param,) in parts:
        key: tuple[str, Any] = (sql, param)
        if sql == RU_PART and not has_operators(param):
            plain = " ".join(param.lower().split())
            if PLAIN_LATIN.fullmatch(plain):
                key = (LATIN_PART, " & ".join(dict.fromkeys(plain.split())))
        if key not in seen:
            seen.add(key)
            kept.append((sql, (param,)))
    return kept
