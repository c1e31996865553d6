"""Production (DEBUG off) serves hashed, compressed static files that collectstatic wrote."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]

FETCH = """
import sys
import django
django.setup()
from django.test import Client
client = Client()
page = client.get("/")
print(page.status_code)
print(page.content.decode())
css = sorted(set(__import__("re").findall(r'/static/css/bozor[^"]*[.]css', page.content.decode())))
for url in css:
    served = client.get(url)
    print("SERVED", url, served.status_code, served.get("Content-Type", ""))
"""


def _database_url() -> str:
    """The test database, for a subprocess (it reads only what is committed: empty tables are enough)."""
    params = connection.get_connection_params()
    host = quote(str(params["host"]), safe="")
    return f"postgres://{params['user']}@{host}:{params['port']}/{connection.settings_dict['NAME']}"


@pytest.mark.django_db
def test_collectstatic_with_production_settings_writes_the_manifest_and_pages_use_hashed_names(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "BOZOR_VAR_DIR": str(tmp_path),  # STATIC_ROOT is var/staticfiles
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "classifieds.settings",
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    static_root = tmp_path / "staticfiles"
    assert (static_root / "staticfiles.json").exists()
    hashed = [path.name for path in (static_root / "css").glob("bozor.*.css")]
    assert len(hashed) == 1 and re.fullmatch(r"bozor\.[0-9a-f]{12}\.css", hashed[0])
    assert (static_root / "css" / f"{hashed[0]}.gz").exists()  # compressed too

    fetched = subprocess.run(
        [sys.executable, "-c", FETCH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert fetched.returncode == 0, fetched.stderr
    status, _, rest = fetched.stdout.partition("\n")
    assert status == "200"
    assert f'href="/static/css/{hashed[0]}"' in rest
    assert 'href="/static/css/bozor.css"' not in rest
    assert f"SERVED /static/css/{hashed[0]} 200 text/css" in rest
