"""Loading: COPY in one transaction, with the next batch generated while the server ingests this one
and computes its search columns.

For a large load the secondary indexes, unique constraints and foreign keys of
the bulk tables are dropped first and rebuilt at the end of the same
transaction, so a failure leaves the tables as they were.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from classifieds.listings.models import Listing, ListingAttributeValue
from classifieds.media.models import ListingPhoto
from classifieds.search.backends.postgres_sql import denormalize, insert_denormalized
from classifieds.taxonomy.models import Attribute, AttributeOption, Category, Location

from .blueprint import NULL, compile_blueprint
from .generate import (
    BLOCK,
    LISTING_COLUMNS,
    PHOTO_COLUMNS,
    USER_COLUMNS,
    VALUE_COLUMNS,
    ListingFactory,
    Rows,
    esc,
    seller_pool,
    user_rows,
)
from .photos import ensure_photo_pool

USERS_PER_LISTING = 1 / 15
CATALOG_TABLES = tuple(model._meta.db_table for model in (Category, Location, Attribute, AttributeOption))
REBUILD_INDEXES_FROM = 50_000  # below this, keeping the indexes is cheaper than rebuilding them
STAGE = "seed_demo_stage"  # the listings of one batch, before they get their search columns
LINES_PER_WRITE = 5000


@dataclass(frozen=True)
class SeedResult:
    """What a run wrote."""

    listings: int
    users: int
    attribute_values: int
    photos: int
    photo_files: int
    first_listing_id: int | None
    indexes_rebuilt: bool
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase of the load, in order


def parse_now(value: str | None) -> datetime:
    """``--now`` as an aware datetime; default: the current time truncated to the hour (UTC)."""
    if not value:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _copy_literal(value: Any) -> str:
    """COPY text for a constant column value."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        items = ("NULL" if v is None else json.dumps(v) if isinstance(v, str) else str(v) for v in value)
        return esc("{" + ",".join(items) + "}")
    if isinstance(value, dict):
        return esc(json.dumps(value))
    if hasattr(value, "obj"):  # psycopg's Jsonb wrapper, from JSONField.get_db_prep_save
        return esc(json.dumps(value.obj))
    return esc(str(value))


def _extra_columns(model: type[models.Model], filled: Sequence[str]) -> tuple[str, str]:
    """Columns of ``model`` not generated here, as (column list suffix, COPY value suffix).

    Keeps seeding working when another app adds a column with a default (a
    denormalized search column, say): rows get that default, to be backfilled.
    """
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in filled or f.primary_key or getattr(f, "generated", False):
            continue
        if getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
            continue  # the database fills it
        default = f.get_default()
        if default is None and not f.null:
            raise ValueError(f"seed_demo does not know how to fill {model._meta.db_table}.{f.column}")
        names.append(f.column)
        values.append(_copy_literal(f.get_db_prep_save(default, connection)))
    if not names:
        return "", ""
    return ", " + ", ".join(f'"{n}"' for n in names), "\t" + "\t".join(values)


def _copy_sql(table: str, columns: Sequence[str], extra: str) -> str:
    quoted = ", ".join('"' + column + '"' for column in columns)
    return f"COPY {table} ({quoted}{extra}) FROM STDIN"


class CopyWriter:
    """Runs COPY statements on a background thread, so generating the next batch overlaps loading this one.

    The thread uses the same psycopg connection (and so the same transaction);
    the caller does not touch the connection until ``close()``. A batch may come with ``then``, which the
    thread runs with a cursor once the batch is in (the seed computes its search columns there).
    """

    def __init__(self, raw_connection: Any):
        self._conn = raw_connection
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="seed-demo-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain after a failure; close() reports it
            work, then = item
            try:
                for sql, lines in work:
                    if lines:
                        with self._conn.cursor() as cursor, cursor.copy(sql) as copy:
                            for i in range(0, len(lines), LINES_PER_WRITE):
                                copy.write("".join(lines[i : i + LINES_PER_WRITE]))
                if then is not None:
                    with self._conn.cursor() as cursor:
                        then(cursor)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by close()
                self._error = exc

    def put(self, work: list[tuple[str, list[str]]], then: Callable[[Any], None] | None = None) -> None:
        """Queue COPY statements with their lines; blocks while two batches are pending."""
        if self._error is not None:
            raise self._error
        self._queue.put((work, then))

    def close(self) -> None:
        """Wait until everything queued is written; re-raise the writer's failure."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


@dataclass
class _Dropped:
    indexes: list[tuple[str, str]]  # (table, CREATE INDEX statement)
    constraints: list[tuple[str, str, str]]  # (table, name, definition), unique ones before foreign keys


def _drop_secondary(cursor: Any, tables: Sequence[str]) -> _Dropped:
    """Drop every index but the primary keys and ``listing_id``'s, and the FK and unique constraints, of ``tables``.

    The load computes each batch's search columns as it goes, and finds its attribute values and photos by
    ``listing_id``: that index stays (new ids only ever append to it), or every batch would read both tables whole.
    """
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
          AND NOT (c.contype = 'u' AND EXISTS (
              SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))
        ORDER BY c.contype DESC, c.conname
        """,
        [list(tables)],
    )
    constraints = [(table, name, definition) for table, name, definition, _ in cursor.fetchall()]
    for table, name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        [list(tables)],
    )
    indexes = [index for index in cursor.fetchall() if not index[2].endswith(" USING btree (listing_id)")]
    for name, _, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    constraints.sort(key=lambda c: "FOREIGN KEY" in c[2])
    return _Dropped([(table, definition) for _, table, definition in indexes], constraints)


def _rebuild_indexes(cursor: Any, dropped: _Dropped, step: Callable[[str], None]) -> None:
    for _, definition in dropped.indexes:
        step(definition.split(" ON ")[0].removeprefix("CREATE ").lower())
        cursor.execute(definition)


def _rebuild_constraints(cursor: Any, dropped: _Dropped, step: Callable[[str], None]) -> None:
    for table, name, definition in dropped.constraints:
        step(f"constraint {name}")
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _unstage(cursor: Any) -> None:
    """Move the staged batch into the listings table, search columns computed."""
    insert_denormalized(cursor, STAGE)
    cursor.execute(f"TRUNCATE {STAGE}")


def _reserve_ids(cursor: Any, table: str, count: int) -> int:
    """Reserve ``count`` consecutive ids of ``table`` (locked by the caller); return the first."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT greatest(nextval(%s), coalesce((SELECT max(id) FROM {table}), 0) + 1)", [sequence])  # noqa: S608
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def _create_sellers(cursor: Any, count: int, seed: int, now: datetime, families: list[str], cities: list[str]):
    """COPY ``count`` demo sellers (``demo0000001``…) and return who posts how much."""
    user_model = get_user_model()
    table = user_model._meta.db_table
    cursor.execute(
        f"SELECT coalesce(max(substring(username from 5)::bigint), 0) FROM {table} "  # noqa: S608
        "WHERE username ~ '^demo[0-9]{7,}$'"
    )
    first_index = cursor.fetchone()[0] + 1
    rng = random.Random(f"{seed}:users")
    rows, phones, kinds = user_rows(rng, count, first_index, now, families, cities)
    cursor.execute(f"SELECT phone FROM {table} WHERE phone = ANY(%s)", [phones])  # noqa: S608
    taken = {row[0] for row in cursor.fetchall()}
    final_phones: list[str | None] = [None if phone in taken else phone for phone in phones]
    first_id = _reserve_ids(cursor, table, count)
    extra_columns, extra_values = _extra_columns(user_model, USER_COLUMNS)
    phone_at = USER_COLUMNS.index("phone")
    lines = []
    for i, row in enumerate(rows):
        row[phone_at] = final_phones[i] or NULL
        lines.append(f"{first_id + i}\t" + "\t".join(row) + extra_values + "\n")
    with cursor.copy(_copy_sql(table, ("id", *USER_COLUMNS), extra_columns)) as copy:
        copy.write("".join(lines))
    return seller_pool(rng, [first_id + i for i in range(count)], final_phones, kinds)


def seed_demo(
    *,
    listings: int,
    seed: int,
    now: datetime,
    batch_size: int = 20_000,
    progress: bool = False,
    rebuild_indexes: bool | None = None,
) -> SeedResult:
    """Append ``listings`` demo listings with sellers, attribute values and photos, in one transaction.

    ``rebuild_indexes``: drop the bulk tables' secondary indexes and foreign keys
    during the load and rebuild them after (None: when it pays, for large loads).
    The same ``seed``, ``now`` and catalog give the same data.
    """
    from tqdm import tqdm

    if listings <= 0:
        return SeedResult(0, 0, 0, 0, 0, None, False)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    blueprint = compile_blueprint()
    photo_pool = ensure_photo_pool(blueprint.tops)
    families = sorted({leaf.kind.family for leaf in blueprint.leaves})
    cities = sorted({loc.name[1] for loc in blueprint.locations})

    user_table = get_user_model()._meta.db_table
    tables = [Listing._meta.db_table, ListingAttributeValue._meta.db_table, ListingPhoto._meta.db_table]
    phases: dict[str, float] = {}
    started = time.monotonic()

    def lap(name: str) -> None:
        """Record the time since the previous phase ended as ``name``'s."""
        phases[name] = time.monotonic() - started - sum(phases.values())

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        # FKs checked per statement: no queue of deferred checks for the whole load, and pending
        # events of an enclosing transaction are flushed before tables are altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"LOCK TABLE {user_table}, {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT count(*) FROM {tables[0]}")  # noqa: S608
        existing = cursor.fetchone()[0]
        if rebuild_indexes is None:
            rebuild_indexes = listings >= REBUILD_INDEXES_FROM and listings >= existing

        user_count = max(3, round(listings * USERS_PER_LISTING))
        sellers = _create_sellers(cursor, user_count, seed, now, families, cities)
        # The catalog and the sellers as they are now: the catalog may have been loaded moments ago (make
        # run, tests), and a planner that believes it empty nests loops around the search columns' computation.
        for table in (user_table, *CATALOG_TABLES):
            cursor.execute(f"ANALYZE {table}")
        dropped = _drop_secondary(cursor, tables) if rebuild_indexes else None

        first_id = _reserve_ids(cursor, tables[0], listings)
        listing_cols, listing_vals = _extra_columns(Listing, LISTING_COLUMNS)
        value_cols, value_vals = _extra_columns(ListingAttributeValue, VALUE_COLUMNS)
        photo_cols, photo_vals = _extra_columns(ListingPhoto, PHOTO_COLUMNS)
        factory = ListingFactory(seed, now, blueprint, sellers, photo_pool, listing_vals, value_vals, photo_vals)
        # Without the foreign keys, each batch's listings go to a stage first and into the listings table
        # once, with their search columns (COPY then UPDATE wrote every row twice, and the dead half cost
        # the index builds and VACUUM). With them, a listing must exist before its attribute values.
        staged = dropped is not None
        if staged:
            cursor.execute(f"CREATE UNLOGGED TABLE {STAGE} (LIKE {tables[0]} INCLUDING DEFAULTS)")
        sql = (
            _copy_sql(STAGE if staged else tables[0], LISTING_COLUMNS, listing_cols),
            _copy_sql(tables[1], VALUE_COLUMNS, value_cols),
            _copy_sql(tables[2], PHOTO_COLUMNS, photo_cols),
        )

        n_values = n_photos = 0
        batch_size = max(BLOCK, batch_size // BLOCK * BLOCK)
        bar = tqdm(total=listings, unit=" listings", disable=not progress, smoothing=0.05)
        writer = CopyWriter(cursor.connection)
        try:
            done = 0
            while done < listings:
                rows = Rows()
                start, end = done, min(listings, done + batch_size)
                while done < end:
                    count = min(BLOCK, end - done)
                    factory.block(done // BLOCK, first_id + done, count, done, rows)
                    done += count
                n_values += len(rows.values)
                n_photos += len(rows.photos)
                # Each batch's search columns are computed by the writer right after its COPY, while this
                # thread generates the next batch: the server's work overlaps Python's instead of following
                # it (at 1M listings the two were 82 s and 207 s one after the other). It runs before the
                # listings table's indexes come back: building an index once is much cheaper than updating
                # it row by row (the update pass took 1,070 s at 1M with the indexes in place).
                low, high = first_id + start, first_id + end - 1
                writer.put(
                    [(sql[0], rows.listings), (sql[1], rows.values), (sql[2], rows.photos)],
                    then=_unstage
                    if staged
                    else lambda cur, low=low, high=high: denormalize(cur, low, high, chunk=batch_size),
                )
                bar.update(done - start)
        finally:
            writer.close()
            bar.close()
        if staged:
            cursor.execute(f"DROP TABLE {STAGE}")
        lap("rows and search columns")

        steps = tqdm(
            total=len(dropped.indexes) + len(dropped.constraints) if dropped else 0, unit=" idx", disable=not progress
        )

        def step(name: str) -> None:
            steps.set_description(name[:50])
            steps.update()

        if dropped is not None:
            _rebuild_indexes(cursor, dropped, step)
            _rebuild_constraints(cursor, dropped, step)
        steps.close()
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        lap("indexes and constraints")

    return SeedResult(
        listings=listings,
        users=user_count,
        attribute_values=n_values,
        photos=n_photos,
        photo_files=sum(len(assets) for assets in photo_pool.values()),
        first_listing_id=first_id,
        indexes_rebuilt=bool(rebuild_indexes),
        phases=phases,
    )
