"""A listing's quality score: how complete and trustworthy it looks, one factor of search relevance.

The score is between ``FLOOR`` and 1. It is recomputed set-based (one UPDATE over many rows) by
the search indexer whenever a listing changes (the outbox's ``listings_changed`` → the index
task), so both search backends read the same stored ``Listing.quality_score``:

- up to ``PHOTOS`` for photos (full at ``FULL_PHOTOS`` ready photos);
- up to ``DESCRIPTION`` for the description (full at ``FULL_DESCRIPTION`` characters);
- up to ``ATTRIBUTES`` for the share of its category's attributes the seller filled;
- ``VERIFIED`` when the seller's phone is verified;
- every rejection by a moderator (``listing.rejected`` audit events; the moderation app's own
  reports are not counted: no such model exists yet) multiplies it by ``REJECTION_PENALTY``.
"""

from __future__ import annotations

BASE = 0.35
PHOTOS = 0.25
FULL_PHOTOS = 5
DESCRIPTION = 0.15
FULL_DESCRIPTION = 500
ATTRIBUTES = 0.15
VERIFIED = 0.10
REJECTION_PENALTY = 0.8
MAX_REJECTIONS = 5
FLOOR = 0.05

REJECTED_TOPIC = "listing.rejected"


def quality_sql(*, photos: str, description: str, filled: str, applicable: str, verified: str, rejections: str) -> str:
    """The score as an SQL expression over the given SQL sub-expressions (counts, text, a boolean)."""
    return f"""greatest({FLOOR}, (
      {BASE}
      + {PHOTOS} * least(coalesce({photos}, 0), {FULL_PHOTOS})::float8 / {FULL_PHOTOS}
      + {DESCRIPTION} * least(char_length(coalesce({description}, '')), {FULL_DESCRIPTION})::float8 / {FULL_DESCRIPTION}
      + {ATTRIBUTES} * CASE WHEN coalesce({applicable}, 0) = 0 THEN 1.0
                            ELSE least(coalesce({filled}, 0)::float8 / {applicable}, 1.0) END
      + CASE WHEN {verified} THEN {VERIFIED} ELSE 0 END
    ) * power({REJECTION_PENALTY}, least(coalesce({rejections}, 0), {MAX_REJECTIONS})))"""


def quality_score(
    *, photos: int, description: str, filled: int, applicable: int, verified: bool, rejections: int
) -> float:
    """The Python twin of ``quality_sql`` (a test keeps them equal): what each factor is worth, in plain Python."""
    attributes = 1.0 if applicable == 0 else min(filled / applicable, 1.0)
    score = (
        BASE
        + PHOTOS * min(photos, FULL_PHOTOS) / FULL_PHOTOS
        + DESCRIPTION * min(len(description), FULL_DESCRIPTION) / FULL_DESCRIPTION
        + ATTRIBUTES * attributes
        + (VERIFIED if verified else 0)
    ) * REJECTION_PENALTY ** min(rejections, MAX_REJECTIONS)
    return max(FLOOR, score)
