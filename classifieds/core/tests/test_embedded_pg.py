"""The embedded PostgreSQL is started on demand, shared, and stopped once nobody uses it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from classifieds.core.embedded_pg import stop_if_unused

ROOT = Path(__file__).resolve().parents[3]
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
