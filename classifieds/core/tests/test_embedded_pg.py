"""The embedded PostgreSQL is started on demand, shared, and stopped once nobody uses it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from classifieds.core.embedded_pg import stop_if_unused

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def tmp_path():
    """A folder outside pytest's basetemp: other pytest sessions reset that one to 0700, which the
    unprivileged user PostgreSQL runs as (when we are root) then cannot enter."""
    path = Path(tempfile.mkdtemp(prefix="bozor-pg-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


START_AND_HANG = (
    "import sys, time; from classifieds.core.embedded_pg import ensure_server; "
    "ensure_server(sys.argv[1], databases=('bozor',)); print('ready', flush=True); time.sleep(600)"
)


def test_a_killed_user_does_not_keep_the_server_alive(tmp_path):
    pgdata = tmp_path / "pgdata"
    user = subprocess.Popen(
        [sys.executable, "-c", START_AND_HANG, str(pgdata)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert user.stdout.readline().strip() == "ready"
        assert (pgdata / "postmaster.pid").exists()
        assert stop_if_unused(pgdata).startswith("still used by")
        # SIGKILL: the process never runs its exit hook, so its pid stays registered.
        os.kill(user.pid, signal.SIGKILL)
        user.wait(timeout=10)
        assert stop_if_unused(pgdata) == "stopped"
        deadline = time.monotonic() + 10
        while (pgdata / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not (pgdata / "postmaster.pid").exists()
        assert stop_if_unused(pgdata) == "not running"
    finally:
        if user.poll() is None:
            user.kill()


def test_a_handle_file_left_empty_by_a_kill_does_not_break_stop(tmp_path):
    pgdata = tmp_path / "pgdata"
    user = subprocess.Popen(
        [sys.executable, "-c", START_AND_HANG, str(pgdata)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert user.stdout.readline().strip() == "ready"
        os.kill(user.pid, signal.SIGKILL)
        user.wait(timeout=10)
        (pgdata / ".handle_pids.json").write_text("")  # killed while the wheel rewrote it
        assert stop_if_unused(pgdata) == "stopped"
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    finally:
        if user.poll() is None:
            user.kill()
        stop_if_unused(pgdata)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(var_dir: Path, port: int) -> subprocess.Popen:
    """``manage.py runserver`` on the embedded database under ``var_dir``, in its own process group like make run."""
    env = {**os.environ, "BOZOR_VAR_DIR": str(var_dir), "DJANGO_DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _database_answers(port: int, server: subprocess.Popen, timeout: float = 90) -> bool:
    """``/readiness`` reaches the database (the rest of the fresh database is not set up here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            body = httpx.get(f"http://127.0.0.1:{port}/readiness", timeout=10).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(0.3)
            continue
        return body["checks"]["database"] == "ok"
    return False


def test_a_server_killed_with_sigkill_starts_again_and_serves(tmp_path):
    var_dir = tmp_path / "var"
    pgdata = var_dir / "pgdata"
    port = _free_port()
    first = _serve(var_dir, port)
    bystander = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"]
    )  # will hold the dead postmaster's pid number
    second = None
    try:
        assert _database_answers(port, first)
        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
        # The worst a kill can leave: the web server's group and PostgreSQL itself gone with SIGKILL,
        # the handle list cut short mid-write, and the dead postmaster's pid now another process's.
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        os.kill(postmaster, signal.SIGKILL)
        (pgdata / ".handle_pids.json").write_text("")
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        lines[0] = str(bystander.pid)
        (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")

        second = _serve(var_dir, port)
        assert _database_answers(port, second)
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(timeout=10)
        stop = subprocess.run(
            [sys.executable, "manage.py", "embedded_db", "stop"],
            cwd=ROOT,
            env={**os.environ, "BOZOR_VAR_DIR": str(var_dir)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert stop.returncode == 0, stop.stderr
        assert "stopped" in stop.stdout
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        bystander.kill()
        stop_if_unused(pgdata)
