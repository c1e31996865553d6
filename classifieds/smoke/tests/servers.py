"""Bozor served as people serve it, in processes of its own, on a throw-away ``BOZOR_VAR_DIR``.

``make_run_site`` runs what ``make run`` runs (``make setup``'s commands, then ``runserver`` and
``run_huey`` with ``DJANGO_DEBUG=1``, so the debug toolbar is on); ``production_site`` runs the
Procfile's ``release``, ``web`` (gunicorn) and ``worker`` lines with production settings after
``collectstatic``. Each site has its own var dir (embedded PostgreSQL, SqliteHuey, media, mail),
its own port, and logs under ``<var>/logs/``. Every wait is bounded; ``stop`` ends what ``start``
started (SIGTERM to each process group, SIGKILL after a grace period, then the embedded database).
"""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable

# Settings a developer's shell or CI may carry: a site gets only what its variant sets.
_INHERITED_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "SMS_",
    "PAYME_",
    "CLICK_",
    "PAYMENT_",
    "SANDBOX_",
    "OPENSEARCH_",
    "MEDIA_",
    "CDN_",
    "CSP_",
    "EMAIL_",
    "SENTRY_",
    "BOZOR_",
    "TEST_DATABASE",
    "TRUSTED_PROXY",
    "QUEUE_",
    "PHONE_",
    "BASE_URL",
    "PORT",
    "WEB_CONCURRENCY",
)
SEED_LISTINGS = "200"
START_TIMEOUT = 120  # seconds for a fresh site to answer /readiness (database, cache, queue, search, worker)
COMMAND_TIMEOUT = 180


class SiteError(AssertionError):
    """The site could not be set up or started; the message carries the command's or the logs' tail."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile() -> dict[str, str]:
    """The Procfile's process types and their commands."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@dataclass
class Site:
    """One running Bozor: its URL, environment, processes and logs."""

    variant: str
    port: int
    env: dict[str, str]
    var_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    deploy_check: subprocess.CompletedProcess | None = None  # `check --deploy` with these settings
    # Set by the fixture: the fakes the site talks to, signed-in browser sessions by phone, and what
    # earlier journeys left for later ones.
    fake_sms: object = None
    fake_payme: object = None
    sessions: dict[str, dict] = field(default_factory=dict)
    story: dict[str, object] = field(default_factory=dict)
    stopped: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def debug(self) -> bool:
        return self.env["DJANGO_DEBUG"] == "1"

    @property
    def logs(self) -> Path:
        return self.var_dir / "logs"

    def manage(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """``manage.py <args>`` with this site's settings; raises with its output if it fails."""
        return self.shell(f"{PYTHON} manage.py {' '.join(args)}", env=env)

    def shell(
        self,
        command: str,
        *,
        env: dict[str, str] | None = None,
        timeout: float = COMMAND_TIMEOUT,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        """A shell command line (e.g. a Procfile entry) with this site's settings (and ``env``)."""
        try:
            result = subprocess.run(  # noqa: S602  (Procfile lines are shell command lines)
                command,
                shell=True,
                cwd=ROOT,
                env={**self.env, **(env or {})},
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise SiteError(f"{self.variant}: `{command}` took over {timeout}s") from exc
        if check and result.returncode != 0:
            raise SiteError(
                f"{self.variant}: `{command}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def spawn(self, name: str, command: str) -> None:
        """Start a long-running process in its own process group, its output in ``logs/<name>.log``."""
        self.logs.mkdir(exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S602
                command,
                shell=True,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def media(self, url: str) -> tuple[int, bytes, str]:
        """``(status, body, content type)`` of a media URL, served as people get it.

        make run: Django serves ``/media/`` (DEBUG). Production: nginx does, from ``var/media``
        (deploy/nginx.conf), and gunicorn never sees it; this plays that ``location``.
        """
        if self.debug:
            response = httpx.get(url, timeout=10)
            return response.status_code, response.content, response.headers.get("content-type", "")
        relative = urlparse(url).path.removeprefix("/media/")
        path = (self.var_dir / "media" / relative).resolve()
        if not path.is_relative_to((self.var_dir / "media").resolve()) or not path.is_file():
            return 404, b"", "text/plain"
        return 200, path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    def log_tails(self) -> str:
        return "\n".join(f"--- {name}.log ---\n{_tail(self.logs / f'{name}.log')}" for name in self.processes)

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> dict:
        """Poll ``/readiness`` until every check (the worker's heartbeat included) is ok."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise SiteError(f"{self.variant}: {name} exited with {process.returncode}\n{self.log_tails()}")
            try:
                response = httpx.get(f"{self.url}/readiness", timeout=10)
            except httpx.HTTPError as exc:
                last = repr(exc)
            else:
                if response.status_code == 200:
                    return response.json()
                last = response.text[:500]
            time.sleep(0.3)
        raise SiteError(f"{self.variant}: not ready after {timeout}s ({last})\n{self.log_tails()}")

    def close(self) -> None:
        """Stop the site and forget its var dir."""
        self.stop()
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def stop(self) -> None:
        """SIGTERM to every process group, SIGKILL to what is left after 20 s, then stop the database."""
        if self.stopped:
            return
        self.stopped = True
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)
            _signal_group(process, signal.SIGKILL)  # a child the shell or the reloader left behind
        self.shell(f"{PYTHON} manage.py embedded_db stop", timeout=60, check=False)

    def server_errors(self) -> list[str]:
        """Tracebacks and 5xx the servers logged (Django logs every 500 with its traceback)."""
        found = []
        for name in self.processes:
            text = _tail(self.logs / f"{name}.log", lines=100_000)
            # /readiness answers 503 until the worker's first heartbeat: that is its job.
            found += [
                f"{name}: {line}"
                for line in text.splitlines()
                if _SERVER_ERROR.search(line) and "/readiness" not in line
            ]
        return found


_SERVER_ERROR = re.compile(r"Traceback \(most recent call last\)|Internal Server Error|\" 5\d\d \d+| 5\d\d \d+ \"")


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _environment(var_dir: Path, port: int, settings: dict[str, str]) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
    return {
        **inherited,
        # `python` and `gunicorn` in Procfile lines are the project's virtualenv's.
        "PATH": f"{Path(PYTHON).parent}{os.pathsep}{inherited.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "classifieds.settings",
        "BOZOR_VAR_DIR": str(var_dir),
        "BASE_URL": f"http://127.0.0.1:{port}",
        **settings,
    }


def _new_var_dir(variant: str) -> Path:
    # Outside pytest's basetemp: other pytest sessions reset that to 0700, which the unprivileged
    # user PostgreSQL runs as (when we are root) cannot enter.
    return Path(tempfile.mkdtemp(prefix=f"bozor-smoke-{variant}-"))


_HOLD_DATABASE = (
    "import sys; from classifieds.core.embedded_pg import ensure_server; "
    "ensure_server(sys.argv[1], databases=('bozor',)); print('ready', flush=True); sys.stdin.read()"
)


@contextmanager
def database_held_up(var_dir: Path):
    """Keep the site's embedded PostgreSQL running across the set-up commands.

    Each command is a process of its own, and the embedded server stops when its last user exits:
    without a holder every command would start and stop it again (seconds each, on 2 cores).
    The holder leaves (a normal exit: it unregisters) once the web server and the worker hold it.
    """
    holder = subprocess.Popen(
        [PYTHON, "-c", _HOLD_DATABASE, str(var_dir / "pgdata")],
        cwd=ROOT,
        env=_environment(var_dir, 0, {}),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([holder.stdout], [], [], START_TIMEOUT)
        if not ready or holder.stdout.readline().strip() != "ready":
            raise SiteError(f"the embedded PostgreSQL under {var_dir} did not start")
        yield
    finally:
        holder.stdin.close()
        try:
            holder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait(timeout=10)


def _bring_up(site: Site, setup, processes: dict[str, str]) -> Site:
    """Run ``setup``, start ``processes`` and wait until the site is ready; on any failure, clean up."""
    try:
        with database_held_up(site.var_dir):
            setup()
            # Reads settings only: it runs while the servers start.
            deploy_check = subprocess.Popen(
                [PYTHON, "manage.py", "check", "--deploy"],
                cwd=ROOT,
                env=site.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, command in processes.items():
                site.spawn(name, command)
            site.wait_until_ready()
        try:
            stdout, stderr = deploy_check.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            deploy_check.kill()
            raise SiteError(f"{site.variant}: check --deploy took over {COMMAND_TIMEOUT}s") from exc
        site.deploy_check = subprocess.CompletedProcess(deploy_check.args, deploy_check.returncode, stdout, stderr)
    except BaseException:
        site.close()
        raise
    return site


def make_run_site() -> Site:
    """``make run``: ``make setup``'s commands, then the web server and the worker, DEBUG and the toolbar on."""
    port = free_port()
    var_dir = _new_var_dir("make-run")
    site = Site("make-run", port, _environment(var_dir, port, {"DJANGO_DEBUG": "1"}), var_dir)

    def setup() -> None:
        site.manage("migrate", "--noinput")
        site.manage("createcachetable")
        site.manage("load_catalog")
        site.manage("seed_demo", "--listings", SEED_LISTINGS, "--if-empty")

    return _bring_up(
        site,
        setup,
        {
            "worker": f"{PYTHON} manage.py run_huey --quiet",
            "web": f"{PYTHON} manage.py runserver 127.0.0.1:{port}",
        },
    )


HTTPS_ONLY_WARNINGS = {
    "security.W004",  # SECURE_HSTS_SECONDS
    "security.W008",  # SECURE_SSL_REDIRECT
    "security.W012",  # SESSION_COOKIE_SECURE
    "security.W016",  # CSRF_COOKIE_SECURE
}


def production_site(
    *, sms_api_url: str, smtp_url: str, payme_checkout_url: str, payme_key: str, payme_merchant_id: str
) -> Site:
    """The Procfile's processes with production settings, talking to the fake SMS, mail and Payme given."""
    port = free_port()
    var_dir = _new_var_dir("production")
    settings = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SMS_BACKEND": "eskiz",
        "SMS_API_URL": sms_api_url,
        "SMS_LOGIN": "sms@bozor.uz",
        "SMS_PASSWORD": "eskiz-test-password",
        "EMAIL_SMTP_URL": smtp_url,
        "PAYME_MERCHANT_ID": payme_merchant_id,
        "PAYME_KEY": payme_key,
        "PAYME_CHECKOUT_URL": payme_checkout_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    site = Site("production", port, _environment(var_dir, port, settings), var_dir)
    procfile_lines = procfile()

    def setup() -> None:
        site.shell(procfile_lines["release"])
        site.manage("seed_demo", "--listings", SEED_LISTINGS, "--if-empty")
        site.manage("collectstatic", "--noinput")

    return _bring_up(
        site,
        setup,
        {
            "worker": procfile_lines["worker"],
            # Bound to 127.0.0.1 only: nothing else on the machine may reach it.
            "web": procfile_lines["web"].replace("0.0.0.0", "127.0.0.1"),  # noqa: S104
        },
    )
