"""A production-like Bozor for the web audit (``classifieds.ops.webaudit``), on a throw-away var dir.

What runs: the Procfile's ``release`` line, a small ``seed_demo``, ``collectstatic``, then gunicorn
(the Procfile's ``web`` line) on a loopback port with ``DJANGO_DEBUG=0``. In production nginx serves
``/media/`` and proxies the rest (deploy/nginx.conf); here a small front on the public port does the
same, so the pages' photos load as they do for people. Nothing the caller's environment configures
(DATABASE_URL, REDIS_URL, OPENSEARCH_URL, MEDIA_BUCKET...) is seen by these processes.

Signed-in pages: with DEBUG off the console SMS backend sends no code (the dev code ``000000`` is
DEBUG-only by design), so the audit signs a demo seller in the way Django's test client does
(``force_login``: a real session in the site's session store) and sends that session's cookie.
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .envvars import scrubbed_environment

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
START_TIMEOUT = 90

# Run in the site's environment: a demo seller signed in, a draft for the wizard, the pages to audit.
PREPARE = """
import json
from django.conf import settings
from django.test import Client
from django.urls import reverse
from classifieds.listings import services
from classifieds.listings.models import Listing
from classifieds.taxonomy.models import Category
from classifieds.taxonomy.paths import srp_path

listing = Listing.objects.active().filter(photos__isnull=False).order_by("pk").first()
seller = listing.owner
own = Listing.objects.active().filter(owner=seller).order_by("pk").first()
leaf = Category.objects.filter(is_leaf=True, parent__isnull=False).order_by("pk").first()
draft = services.listing_create_draft(owner=seller, category=leaf, language="ru")
top = listing.category.ancestors(include_self=True)[0]
client = Client()
client.force_login(seller)
print(json.dumps({
    "cookie": {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value},
    "detail": listing.get_absolute_url(),
    "srp": srp_path(top),
    "parent": top.pk,
    "draft": draft.pk,
    "promote": reverse("web:promote", args=[own.pk]),
}))
"""


_HOLD_DATABASE = (
    "import sys; from classifieds.core.embedded_pg import ensure_server; "
    "ensure_server(sys.argv[1], databases=('bozor',)); print('ready', flush=True); sys.stdin.read()"
)


class SiteError(RuntimeError):
    """The site could not be built or started; the message carries the command's output."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in lines if line.strip() and ":" in line)}


class _Front(BaseHTTPRequestHandler):
    """nginx's part: ``/media/`` from the var dir, everything else proxied to gunicorn unchanged."""

    protocol_version = "HTTP/1.1"
    media_root: Path
    upstream_port: int

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        self._handle()

    def do_HEAD(self):  # noqa: N802
        self._handle()

    def do_POST(self):  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        with suppress(BrokenPipeError, ConnectionResetError):  # the browser stopped loading (Lighthouse does)
            self._answer()

    def _answer(self) -> None:
        if self.path.startswith("/media/"):
            return self._media()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in {"connection", "keep-alive"}}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in {"connection", "transfer-encoding", "content-length", "keep-alive"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()

    def _media(self) -> None:
        root = self.media_root.resolve()
        path = (root / self.path.split("?")[0].removeprefix("/media/")).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=2592000")  # nginx: expires 30d
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that stopped loading
            super().handle_error(request, client_address)


@dataclass
class AuditSite:
    port: int
    var_dir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    pages: dict = field(default_factory=dict)  # what PREPARE printed

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, command: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S602 - Procfile lines are shell command lines
            command, shell=True, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise SiteError(f"`{command}` failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def spawn(self, command: str, log: str) -> None:
        with (self.var_dir / log).open("ab") as out:
            self.processes.append(
                subprocess.Popen(  # noqa: S602
                    command, shell=True, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip


def _wait_for(url: str, processes: list[subprocess.Popen], logs: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SiteError(f"gunicorn exited:\n{logs.read_text(errors='replace')[-3000:]}")
        with suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise SiteError(f"no answer from {url}/healthz after {START_TIMEOUT}s")


@contextmanager
def audit_site(listings: int = 60):
    """Build, start and yield an ``AuditSite``; stop it and remove its var dir afterwards."""
    port, upstream_port = free_port(), free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="bozor-webaudit-"))
    env = {
        **scrubbed_environment(dict(os.environ)),
        "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "classifieds.settings",
        "BOZOR_VAR_DIR": str(var_dir),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(upstream_port),
        "WEB_CONCURRENCY": "2",
    }
    site = AuditSite(port=port, var_dir=var_dir, env=env)
    front = holder = None
    try:
        procfile = _procfile()
        # One holder keeps the embedded PostgreSQL up across the set-up commands (each would start it).
        holder = subprocess.Popen(  # noqa: S603
            [PYTHON, "-c", _HOLD_DATABASE, str(var_dir / "pgdata")], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if holder.stdout.readline().strip() != "ready":
            raise SiteError(f"the embedded PostgreSQL under {var_dir} did not start")
        site.run(procfile["release"])
        site.run(f"{PYTHON} manage.py seed_demo --listings {listings} --seed 1 --if-empty")
        site.run(f"{PYTHON} manage.py collectstatic --noinput")
        site.pages = json.loads(
            site.run(f"{PYTHON} manage.py shell -c {shlex.quote(PREPARE)}").strip().splitlines()[-1]
        )
        site.spawn(procfile["web"].replace("0.0.0.0", "127.0.0.1"), "web.log")  # noqa: S104
        _wait_for(f"http://127.0.0.1:{upstream_port}", site.processes, var_dir / "web.log")
        handler = type("Front", (_Front,), {"media_root": var_dir / "media", "upstream_port": upstream_port})
        front = _QuietServer(("127.0.0.1", port), handler)
        threading.Thread(target=front.serve_forever, daemon=True).start()
        holder.stdin.close()  # gunicorn holds the database now
        holder.wait(timeout=30)
        yield site
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
        if front is not None:
            front.shutdown()
            front.server_close()
        for process in site.processes:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in site.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        stop = [PYTHON, "manage.py", "embedded_db", "stop"]
        subprocess.run(stop, cwd=ROOT, env=env, capture_output=True, timeout=60)  # noqa: S603
        shutil.rmtree(var_dir, ignore_errors=True)
