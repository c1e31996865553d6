"""The environment variables ``classifieds/settings.py`` reads, found by reading its source.

Used by the restore drill (its scratch processes must not inherit production's services:
a drill that saw ``OPENSEARCH_URL`` would reindex the live cluster from a scratch database)
and by the tests that hold deploy/compose.yaml and the README to what settings really read.
"""

from __future__ import annotations

import ast
from pathlib import Path

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "settings.py"
APPS_SETTINGS_FILE = SETTINGS_FILE.with_name("settings_apps.py")  # star-imported by settings.py
HELPERS = {"env_bool", "env_list"}  # settings.py's own readers: first argument is the variable's name


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def settings_variables(*paths: Path) -> set[str]:
    """Names read with ``os.environ.get(...)``, ``os.environ[...]``, ``os.getenv(...)`` or the env helpers
    (in settings.py and the module of app tunables it star-imports, unless ``paths`` are given)."""
    names: set[str] = set()
    nodes = [
        node for path in paths or (SETTINGS_FILE, APPS_SETTINGS_FILE) for node in ast.walk(ast.parse(path.read_text()))
    ]
    for node in nodes:
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            reads = (
                (isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value))
                or (isinstance(func, ast.Attribute) and func.attr == "getenv")
                or (isinstance(func, ast.Name) and func.id in HELPERS)
            )
            if reads and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value) and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
    return names


def scrubbed_environment(environ: dict[str, str], *, keep: set[str] = frozenset()) -> dict[str, str]:
    """``environ`` without any variable settings.py reads (except ``keep``): processes that see it run on the
    embedded defaults, never on the services the caller is configured for."""
    drop = settings_variables() - set(keep)
    return {key: value for key, value in environ.items() if key not in drop}
