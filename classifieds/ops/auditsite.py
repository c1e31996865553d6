"""A production-like Bozor for the web audit (``classifieds.ops.webaudit``), on a throw-away var dir.

What runs: the Procfile's ``release`` line, a small ``seed_demo``, ``collectstatic``, then gunicorn
(the Procfile's ``web`` line) on a loopback port with ``DJANGO_DEBUG=0``, behind production's own
``deploy/nginx.conf`` (TLS with a throw-away certificate, HTTP/2, static and media from disk), so the
judges see what visitors get: Lighthouse's simulated 4G models an HTTP/2 connection, not the six
HTTP/1.1 connections a plain front makes it open. Nothing the caller's environment configures
(DATABASE_URL, REDIS_URL, OPENSEARCH_URL, MEDIA_BUCKET...) is seen by these processes.

Signed-in pages: with DEBUG off the console SMS backend sends no code (the dev code ``000000`` is
DEBUG-only by design), so the audit signs a demo seller in the way Django's test client does
(``force_login``: a real session in the site's session store) and sends that session's cookie.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shlex
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


def nginx_config(var_dir: Path, port: int, upstream_port: int) -> Path:
    """Production's ``deploy/nginx.conf`` on loopback ports and this var dir, with a throw-away certificate.

    The server blocks are the deployed ones (TLS and HTTP/2, static and media from disk, the proxy
    headers), so the judges measure what visitors get; only the HTTP-to-HTTPS server is left out.
    """
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    openssl = shutil.which("openssl")
    if not nginx or not openssl:
        raise SiteError("the web audit serves the site through nginx with TLS: install nginx and openssl")
    subprocess.run(  # noqa: S603
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(var_dir / "tls.key"), "-out", str(var_dir / "tls.crt")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    deployed = (ROOT / "deploy/nginx.conf").read_text()
    servers = deployed.split("\nserver {")
    https = "\nserver {" + servers[1]  # the TLS server; servers[2] only redirects port 80
    https = (
        https.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
        .replace("/srv/bozor/var/", f"{var_dir}/")
        .replace("http://bozor_web", f"http://127.0.0.1:{upstream_port}")
        .replace(
            "# ssl_certificate / ssl_certificate_key: managed by certbot or the load balancer.",
            f"ssl_certificate {var_dir}/tls.crt; ssl_certificate_key {var_dir}/tls.key;",
        )
    )
    if f"127.0.0.1:{port}" not in https or f"{var_dir}/tls.crt" not in https:
        raise SiteError("deploy/nginx.conf changed shape: the audit could not place its ports and certificate")
    user = "user root;" if os.geteuid() == 0 else ""  # as root nginx's workers would read the var dir as nobody
    config = var_dir / "nginx.conf"
    config.write_text(
        f"""{user}
worker_processes 1;
pid {var_dir}/nginx.pid;
error_log {var_dir}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {var_dir}/nginx-body; proxy_temp_path {var_dir}/nginx-proxy;
    fastcgi_temp_path {var_dir}/nginx-fastcgi; uwsgi_temp_path {var_dir}/nginx-uwsgi; scgi_temp_path {var_dir}/nginx-scgi;
{https}
}}
"""
    )
    subprocess.run([nginx, "-t", "-q", "-p", str(var_dir), "-c", str(config)], check=True, timeout=30)  # noqa: S603
    return config


@dataclass
class AuditSite:
    port: int
    var_dir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    pages: dict = field(default_factory=dict)  # what PREPARE printed

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

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


def _wait_for_port(port: int, processes: list[subprocess.Popen], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SiteError(f"nginx exited:\n{log.read_text(errors='replace')[-3000:] if log.exists() else ''}")
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
            return
        time.sleep(0.2)
    raise SiteError(f"nginx did not listen on {port} after {START_TIMEOUT}s")


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
        "BASE_URL": f"https://127.0.0.1:{port}",
        "PORT": str(upstream_port),
        "WEB_CONCURRENCY": "2",
    }
    site = AuditSite(port=port, var_dir=var_dir, env=env)
    holder = None
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
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        config = nginx_config(var_dir, port, upstream_port)
        site.spawn(f"{nginx} -p {var_dir} -c {config} -g 'daemon off;'", "nginx.log")
        _wait_for_port(port, site.processes, var_dir / "nginx-error.log")
        holder.stdin.close()  # gunicorn holds the database now
        holder.wait(timeout=30)
        yield site
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
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
