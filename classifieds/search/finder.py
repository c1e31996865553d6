"""The posting wizard's category finder: a leaf category for what a seller types, in ru or uz, either script.

"квартира", "квартиру", "kvartira" and "kvartiralar" all name the flats. Each
word typed is matched against the names of a leaf, of its ancestors and of its
own attribute options (``iPhone 15`` finds Apple phones), three ways, with the
search app's tools rather than new ones:

- Russian word forms by PostgreSQL's ``bozor_ru`` stemming;
- the word's Latin skeleton (``search.text.latin_skeleton``, ``bozor_translit()``
  in SQL), Uzbek endings dropped (``uz_stem``), as a prefix: Uzbek and
  transliterated Russian;
- pg_trgm word similarity of the skeletons, for typos and Russian typed in Latin.

The query's synonym variants (the search app's synonym groups: машина/avtomobil,
uy/дом/hovli) are matched too. A word scores most on the leaf's own name, a bit
less on its parent's (a leaf such as "Apple" means little without "Телефоны"),
and a match counts more in a short name than in a long one, so "telefon" finds
phones before phone accessories.
"""

from __future__ import annotations

from django.db import connection

from classifieds.search.text import latin_skeleton, synonym_variants, uz_stem, words

MAX_WORDS = 6
SYNONYM_WEIGHT = 0.8  # a synonym's match counts a little less than the words typed
FUZZY_MIN = 0.6  # pg_trgm word similarity below this is noise ("telefon" ~ "televizor" is 0.5)

FINDER_SQL = """
WITH terms AS MATERIALIZED (
  SELECT t.variant, t.word, t.weight, plainto_tsquery('bozor_ru', t.ru) AS ruq,
         CASE WHEN t.lat <> '' THEN to_tsquery('bozor_lat', t.lat) END AS latq, t.skel
  FROM unnest(%(variant)s::int[], %(word)s::int[], %(weight)s::float8[], %(ru)s::text[], %(lat)s::text[],
              %(skel)s::text[]) AS t(variant, word, weight, ru, lat, skel)
),
docs AS (
  SELECT c.id AS leaf, 1.0::float8 AS weight, true AS fuzzy, n.body
  FROM taxonomy_category c, LATERAL (VALUES (c.name_ru), (c.name_uz)) AS n(body)
  WHERE c.is_leaf
  UNION ALL
  SELECT c.id, CASE WHEN a.id = c.path[cardinality(c.path) - 1] THEN 0.9 ELSE 0.6 END, true, n.body
  FROM taxonomy_category c
  JOIN taxonomy_category a ON a.id = ANY (c.path) AND a.id <> c.id,
  LATERAL (VALUES (a.name_ru), (a.name_uz)) AS n(body)
  WHERE c.is_leaf
  UNION ALL
  SELECT c.id, 0.5, false, n.body
  FROM taxonomy_category c
  JOIN taxonomy_attribute at ON at.category_id = c.id
  JOIN taxonomy_attributeoption o ON o.attribute_id = at.id,
  LATERAL (VALUES (o.label_ru), (o.label_uz)) AS n(body)
  WHERE c.is_leaf
),
vecs AS MATERIALIZED (
  SELECT leaf, weight, fuzzy, to_tsvector('bozor_ru', body) AS ru_vec, to_tsvector('bozor_lat', bozor_translit(body)) AS lat_vec,
         bozor_translit(body) AS lat_text
  FROM docs WHERE coalesce(body, '') <> ''
),
words AS (
  SELECT v.leaf, t.variant, t.word, max(t.weight * v.weight * CASE
      WHEN numnode(t.ruq) > 0 AND v.ru_vec @@ t.ruq THEN 1.0
      WHEN t.latq IS NOT NULL AND v.lat_vec @@ t.latq THEN 0.9
      -- Typos only against names (options are many, and it is the costly part).
      WHEN v.fuzzy AND length(t.skel) >= 4 THEN 0.8 * (SELECT CASE WHEN s >= %(fuzzy)s THEN s ELSE 0 END
                                                      FROM word_similarity(t.skel, v.lat_text) AS s)
      ELSE 0
    END / greatest(length(v.lat_vec), 1)) AS score
  FROM vecs v CROSS JOIN terms t
  GROUP BY v.leaf, t.variant, t.word
)
SELECT w.leaf, sum(w.score) AS score
FROM words w JOIN taxonomy_category c ON c.id = w.leaf
GROUP BY w.leaf, c.path, c.slug
HAVING sum(w.score) > 0
-- Ties follow the catalog's own order (ids differ between databases loaded in another order). Scores are
-- rounded first: float sums of equal terms added in another order (rows found by id) differ in the last bits.
ORDER BY round(sum(w.score)::numeric, 9) DESC, (SELECT array_agg(a."order" ORDER BY p.i) FROM unnest(c.path) WITH ORDINALITY p(id, i)
                            JOIN taxonomy_category a ON a.id = p.id), c.slug
LIMIT %(limit)s
"""


def _terms(text: str, groups: list[list[str]]) -> dict[str, list]:
    """The SQL arrays for ``text`` and its synonym variants: one row per (variant, word)."""
    columns: dict[str, list] = {"variant": [], "word": [], "weight": [], "ru": [], "lat": [], "skel": []}
    variants = [text, *synonym_variants(text, groups)]
    for index, variant in enumerate(variants):
        for position, word in enumerate(words(variant)[:MAX_WORDS]):
            skeleton = "".join(ch for ch in latin_skeleton(word) if ch.isascii() and ch.isalnum())
            columns["variant"].append(index)
            columns["word"].append(position)
            columns["weight"].append(1.0 if index == 0 else SYNONYM_WEIGHT)
            columns["ru"].append(word)
            # Only [a-z0-9] reaches to_tsquery, so the prefix query is always valid syntax.
            columns["lat"].append(f"{uz_stem(skeleton)}:*" if skeleton else "")
            columns["skel"].append(skeleton)
    return columns


def find_leaf_categories(text: str, *, limit: int = 12) -> list[int]:
    """Ids of the leaf categories best matching ``text``, best first (empty for fewer than two letters)."""
    text = " ".join(text.split())[:60]
    if len(text) < 2:
        return []
    from classifieds.search.synonyms import synonym_groups

    columns = _terms(text, synonym_groups())
    if not columns["word"]:
        return []
    with connection.cursor() as cursor:
        cursor.execute(FINDER_SQL, {**columns, "fuzzy": FUZZY_MIN, "limit": limit})
        return [row[0] for row in cursor.fetchall()]
