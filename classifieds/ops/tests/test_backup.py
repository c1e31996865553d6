"""Backups and the restore drill (classifieds/ops): what they record, and that a wrong restore cannot pass.

The full drill on a seeded site (seed_demo) runs in CI as ``make drill``; here it runs on the
test database, and the checks it relies on are shown to fail when the data differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from classifieds.listings.tests.factories import ListingFactory
from classifieds.ops import pg
from classifieds.ops.backup import MANIFEST, MEDIA, prune, verify_media, write_media_manifest
from classifieds.ops.drill import drill
from classifieds.ops.envvars import scrubbed_environment

BASE_DIR = Path(settings.BASE_DIR)


class TestCompare:
    EXPECTED = {
        "tables": {
            "public.a": {"rows": 2, "fingerprint": "00000000000000aa"},
            "public.b": {"rows": 1, "fingerprint": "00000000000000bb"},
        },
        "listings": {"rows": 2, "md5": "x"},
    }

    def test_the_same_figures_are_no_problem(self):
        assert pg.compare(self.EXPECTED, json.loads(json.dumps(self.EXPECTED))) == []

    def test_it_names_a_table_with_other_rows_or_contents_a_lost_one_and_an_extra_one(self):
        found = {
            "tables": {
                "public.a": {"rows": 3, "fingerprint": "00000000000000aa"},
                "public.c": {"rows": 0, "fingerprint": "0000000000000000"},
            },
            "listings": {"rows": 2, "md5": "x"},
        }
        assert pg.compare(self.EXPECTED, found) == [
            "public.b: missing after restore",
            "public.c: not in the backup",
            "public.a: 2 rows backed up, 3 restored",
        ]
        found["tables"] = {**self.EXPECTED["tables"], "public.b": {"rows": 1, "fingerprint": "00000000000000bc"}}
        assert pg.compare(self.EXPECTED, found) == ["public.b: same row count, different contents"]

    def test_it_names_a_different_listings_checksum(self):
        found = {**self.EXPECTED, "listings": {"rows": 2, "md5": "y"}}
        assert pg.compare(self.EXPECTED, found) == [
            "listings checksum: backed up {'rows': 2, 'md5': 'x'}, restored {'rows': 2, 'md5': 'y'}"
        ]


@pytest.mark.django_db
class TestFingerprints:
    def _figures(self):
        conn = connection.connection  # the test's own transaction: it sees the factory's rows
        for statement in pg.SESSION:
            conn.execute(statement)
        return pg.table_stats(conn), pg.listings_checksum(conn)

    def test_one_changed_listing_changes_the_checksum_and_its_tables_fingerprint_only(self):
        ListingFactory.create_batch(3)
        before_tables, before_listings = self._figures()
        listing = ListingFactory._meta.model.objects.order_by("id").last()
        type(listing).objects.filter(pk=listing.pk).update(title=listing.title + "!")
        after_tables, after_listings = self._figures()

        assert before_listings["rows"] == after_listings["rows"] == 3
        assert before_listings["md5"] != after_listings["md5"]
        changed = [name for name in before_tables if before_tables[name] != after_tables[name]]
        assert changed == [pg.LISTINGS_TABLE]

    def test_the_figures_do_not_depend_on_the_sessions_time_zone(self):
        ListingFactory.create_batch(2)
        first = self._figures()
        connection.connection.execute("SET TimeZone = 'Asia/Tashkent'")
        assert self._figures() == first  # _figures pins UTC again, as backup and drill both do


class TestMediaManifest:
    def test_it_lists_every_object_with_its_size_and_sha256_and_verify_finds_lost_and_changed_ones(self, tmp_path):
        files = {"listings/1/a.webp": b"first", "listings/2/b.webp": b"second", "top.txt": b"third"}
        for name, data in files.items():
            default_storage.save(name, ContentFile(data))
        totals = write_media_manifest(default_storage, tmp_path / MEDIA)

        lines = [json.loads(line) for line in (tmp_path / MEDIA).read_text().splitlines()]
        assert lines == [
            {"path": "top.txt", "size": 5, "sha256": hashlib.sha256(b"third").hexdigest()},
            {"path": "listings/1/a.webp", "size": 5, "sha256": hashlib.sha256(b"first").hexdigest()},
            {"path": "listings/2/b.webp", "size": 6, "sha256": hashlib.sha256(b"second").hexdigest()},
        ]
        assert totals["objects"] == 3 and totals["bytes"] == 16
        assert verify_media(default_storage, tmp_path / MEDIA) == {"checked": 3, "missing": [], "changed": []}

        default_storage.delete("listings/1/a.webp")
        default_storage.delete("top.txt")
        default_storage.save("top.txt", ContentFile(b"THIRD"))
        assert verify_media(default_storage, tmp_path / MEDIA) == {
            "checked": 3,
            "missing": ["listings/1/a.webp"],
            "changed": ["top.txt"],
        }

    def test_no_media_folder_yet_is_an_empty_manifest(self, tmp_path):
        totals = write_media_manifest(default_storage, tmp_path / MEDIA)
        assert totals["objects"] == 0
        assert (tmp_path / MEDIA).read_text() == ""


class TestPrune:
    def test_it_keeps_the_newest_complete_backups_and_ignores_unfinished_ones(self, tmp_path):
        for name in ["bozor-20261101T030000Z", "bozor-20261102T030000Z", "bozor-20261103T030000Z"]:
            (tmp_path / name).mkdir()
            (tmp_path / name / MANIFEST).write_text("{}")
        (tmp_path / "bozor-20261104T030000Z.partial").mkdir()
        assert [path.name for path in prune(tmp_path, 2)] == ["bozor-20261101T030000Z"]
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "bozor-20261102T030000Z",
            "bozor-20261103T030000Z",
            "bozor-20261104T030000Z.partial",
        ]


def _backup(test_database_url: str, destination: Path) -> Path:
    env = scrubbed_environment(dict(os.environ))
    env.update(DATABASE_URL=test_database_url, BOZOR_VAR_DIR=str(destination.parent / "var"))
    done = subprocess.run(
        [sys.executable, "-m", "classifieds.ops.backup", str(destination), "--no-media"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (backup_dir,) = destination.glob("bozor-*")
    return backup_dir


class TestDrill:
    def test_a_backup_of_the_database_restores_with_every_row_and_a_working_search(self, test_database_url, tmp_path):
        backup_dir = _backup(test_database_url, tmp_path / "backups")
        manifest = json.loads((backup_dir / MANIFEST).read_text())
        assert manifest["dump"]["bytes"] > 0 and manifest["pg_dump"].startswith("pg_dump (PostgreSQL)")
        assert pg.LISTINGS_TABLE in manifest["tables"]
        assert manifest["migrations"]["listings"]

        report = drill(backup_dir)

        assert report["problems"] == []
        assert report["ok"] is True
        assert report["tables"] == len(manifest["tables"])
        assert report["rows"] == sum(table["rows"] for table in manifest["tables"].values())
        assert report["smoke"]["search"] == 200
        assert set(report["timings"]) == {"verify", "start", "restore", "compare", "migrate", "reindex", "smoke"}

    def test_a_damaged_dump_fails_the_drill_before_anything_is_restored(self, test_database_url, tmp_path):
        backup_dir = _backup(test_database_url, tmp_path / "backups")
        with (backup_dir / "db.dump").open("ab") as dump:
            dump.write(b"\0")

        report = drill(backup_dir)

        assert report["ok"] is False
        assert report["problems"] == ["db.dump: sha256 differs from the manifest (a damaged copy)"]
        assert list(report["timings"]) == ["verify"]
