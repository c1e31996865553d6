"""Logs are read by people and log shippers: every line is written once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Run in a process of its own: pytest puts handlers of its own on the root logger.
REACHED = """
import json, logging
import django
django.setup()
from django.conf import settings
from huey.consumer_options import ConsumerConfig

huey = logging.getLogger("huey")
if not huey.handlers:  # what run_huey does before it starts the consumer (this honours its --quiet)
    ConsumerConfig(**settings.HUEY["consumer"]).setup_logger(huey)

def reached(name):
    logger, found = logging.getLogger(name), []
    while logger is not None:  # logging's own walk up the hierarchy
        found += [type(handler).__name__ for handler in logger.handlers]
        logger = logger.parent if logger.propagate else None
    return found

print(json.dumps({name: reached(name) for name in ("huey", "huey.consumer", "classifieds.media.tasks")}))
"""


def _handlers_reached(tmp_path) -> dict[str, list[str]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "classifieds.settings", "BOZOR_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", REACHED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_worker_writes_each_of_its_log_lines_once(tmp_path):
    """``run_huey`` gives the "huey" logger a handler of its own unless it has one: the root logger's
    must not write the same line again, in another format."""
    reached = _handlers_reached(tmp_path)
    assert reached["huey"] == ["StreamHandler"]
    assert reached["huey.consumer"] == ["StreamHandler"]


def test_our_own_loggers_still_reach_the_console(tmp_path):
    assert _handlers_reached(tmp_path)["classifieds.media.tasks"] == ["StreamHandler"]
