"""make run's debug toolbar: its panels must still have the page's data when a developer opens them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# With DJANGO_DEBUG=1 (make run's settings), in a process of its own: settings are read at import.
SHOWN = """
import json
import django
django.setup()
from django.test import RequestFactory
from debug_toolbar.middleware import show_toolbar_func_or_path

show = show_toolbar_func_or_path()  # the callback the toolbar's middleware asks, as configured
factory = RequestFactory()
paths = ["/", "/admin/listings/listing/", "/static/admin/css/base.css", "/static/css/bozor.css",
         "/media/cache/9a/96/9a96.webp", "/uz/c/elektronika/"]
shown = {path: show(factory.get(path, REMOTE_ADDR="127.0.0.1")) for path in paths}
shown["/ from another machine"] = show(factory.get("/", REMOTE_ADDR="10.0.0.7"))
print(json.dumps(shown))
"""


def test_static_and_media_files_do_not_push_the_page_out_of_the_toolbar_store(tmp_path):
    """The toolbar keeps its last 25 requests; an Admin page loads more CSS and JS than that (whitenoise runs
    behind the toolbar's middleware), so without this its panels said "Data for this panel isn't available"."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "classifieds.settings"}
    env["BOZOR_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SHOWN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "/": True,
        "/admin/listings/listing/": True,
        "/uz/c/elektronika/": True,
        "/static/admin/css/base.css": False,
        "/static/css/bozor.css": False,
        "/media/cache/9a/96/9a96.webp": False,
        "/ from another machine": False,
    }


ORDER = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps(settings.MIDDLEWARE))
"""


def test_the_toolbar_sits_below_gzip_so_it_can_insert_itself_into_pages(tmp_path):
    """A browser asks for gzip: above GZipMiddleware the toolbar saw only compressed pages and left them alone
    (no toolbar on any page under make run, and debug_toolbar.W003 at every start)."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "classifieds.settings"}
    env["BOZOR_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", ORDER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    middleware = json.loads(result.stdout)
    toolbar = middleware.index("debug_toolbar.middleware.DebugToolbarMiddleware")
    assert toolbar == middleware.index("django.middleware.gzip.GZipMiddleware") + 1
