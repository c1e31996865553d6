"""Back up the database and record what media exists; check a backup's media record against storage.

    python -m classifieds.ops.backup /srv/backups [--keep 14] [--no-media]
    python -m classifieds.ops.backup --verify-media /srv/backups/bozor-20261130T030000Z

Uses the settings of the environment it runs in (DATABASE_URL, MEDIA_BUCKET...). A backup is a
directory ``bozor-<UTC time>`` holding:

- ``db.dump``: ``pg_dump --format=custom`` (restore with ``pg_restore``, in parallel);
- ``media-manifest.jsonl``: ``{"path", "size", "sha256"}`` of every object in default storage (the
  objects themselves stay in the bucket, which keeps its own versions: the manifest is the record a
  restore is checked against);
- ``manifest.json``: when, server and tool versions, the dump's sha256, and, taken in the very snapshot
  ``pg_dump`` copied, the rows and fingerprint of every table, an ordered checksum of the listings
  and the latest migration of each app. The restore drill compares a restored database with these.

The directory is written as ``<name>.partial`` and renamed when complete, so a failed run never
looks like a backup.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = 1
DUMP = "db.dump"
MEDIA = "media-manifest.jsonl"
MANIFEST = "manifest.json"
PREFIX = "bozor-"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classifieds.settings")
    import django

    django.setup()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def storage_objects(storage, path: str = ""):
    """Every file name in ``storage`` under ``path``, sorted, walking directories (S3 prefixes) depth first."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # a filesystem storage whose folder was never created: no media yet
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from storage_objects(storage, f"{path}/{directory}" if path else directory)


def object_digest(storage, name: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        for chunk in handle.chunks():
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_media_manifest(storage, target: Path) -> dict[str, Any]:
    """One JSON line per object of ``storage``; returns the totals."""
    count = total = 0
    with target.open("w") as out:
        for name in storage_objects(storage):
            size, sha256 = object_digest(storage, name)
            out.write(json.dumps({"path": name, "size": size, "sha256": sha256}) + "\n")
            count += 1
            total += size
    return {"objects": count, "bytes": total, "manifest_sha256": file_sha256(target)}


def verify_media(storage, manifest: Path) -> dict[str, Any]:
    """Check every recorded object: present, same size, same sha256. Objects added since are not errors."""
    checked, missing, changed = 0, [], []
    with manifest.open() as lines:
        for line in lines:
            entry = json.loads(line)
            checked += 1
            if not storage.exists(entry["path"]):
                missing.append(entry["path"])
                continue
            size, sha256 = object_digest(storage, entry["path"])
            if (size, sha256) != (entry["size"], entry["sha256"]):
                changed.append(entry["path"])
    return {"checked": checked, "missing": missing, "changed": changed}


def dump_database(work: Path) -> dict[str, Any]:
    """pg_dump in an exported snapshot, and the figures of that same snapshot."""
    from django.db import connection

    from . import pg

    conninfo, env = pg.conninfo_and_env(connection.get_connection_params())
    figures: dict[str, Any] = {}
    with pg.connect(conninfo, env) as conn:
        conn.isolation_level = pg.psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        started = time.monotonic()
        subprocess.run(  # noqa: S603 - our own argument list, no shell
            [
                pg.pg_tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={work / DUMP}",
                f"--dbname={conninfo}",
            ],
            env=env,
            check=True,
        )
        figures["dump_seconds"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        figures["tables"] = pg.table_stats(conn)
        figures["listings"] = pg.listings_checksum(conn)
        figures["migrations"] = dict(
            conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app").fetchall()
        )
        figures["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
        figures["stats_seconds"] = round(time.monotonic() - started, 2)
        conn.rollback()
    figures["pg_dump"] = pg.tool_version("pg_dump")
    return figures


def backup(destination: Path, *, media: bool = True, keep: int | None = None) -> Path:
    """Write one complete backup under ``destination``; return its directory."""
    from django.core.files.storage import default_storage

    destination.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    name = f"{PREFIX}{created:%Y%m%dT%H%M%SZ}"
    work = destination / f"{name}.partial"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    figures = dump_database(work)
    timings = {"dump": figures.pop("dump_seconds"), "stats": figures.pop("stats_seconds")}
    started = time.monotonic()
    media_totals = write_media_manifest(default_storage, work / MEDIA) if media else None
    timings["media"] = round(time.monotonic() - started, 2)
    manifest = {
        "format": FORMAT,
        "created": created.isoformat(),
        "dump": {"file": DUMP, "bytes": (work / DUMP).stat().st_size, "sha256": file_sha256(work / DUMP)},
        "media": media_totals,
        "timings": timings,
        **figures,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    final = destination / name
    work.rename(final)
    if keep:
        prune(destination, keep)
    return final


def prune(destination: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest complete backups (names sort by time)."""
    complete = sorted(path for path in destination.glob(f"{PREFIX}*") if path.is_dir() and (path / MANIFEST).exists())
    doomed = complete[:-keep] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifieds.ops.backup", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="where to write the backup (or, with --verify-media, a backup)")
    parser.add_argument("--verify-media", action="store_true", help="check a backup's media manifest against storage")
    parser.add_argument("--no-media", action="store_true", help="skip the media manifest (it reads every object)")
    parser.add_argument("--keep", type=int, help="then delete all but the N newest backups in PATH")
    args = parser.parse_args(argv)
    _setup_django()
    from django.core.files.storage import default_storage

    if args.verify_media:
        started = time.monotonic()
        result = verify_media(default_storage, args.path / MEDIA)
        result["seconds"] = round(time.monotonic() - started, 2)
        print(json.dumps(result))
        return 1 if result["missing"] or result["changed"] else 0
    done = backup(args.path, media=not args.no_media, keep=args.keep)
    manifest = json.loads((done / MANIFEST).read_text())
    rows = sum(table["rows"] for table in manifest["tables"].values())
    print(
        f"backup {done}: {len(manifest['tables'])} tables, {rows} rows, "
        f"{manifest['dump']['bytes']} bytes dumped, media {manifest['media']}, timings {manifest['timings']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
