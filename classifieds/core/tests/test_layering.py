"""The layer order is enforced by the build, and the rules the import graph cannot see are checked here."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "classifieds"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own venv's tool, fixed arguments)
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The package and its contracts in a scratch directory, to break on purpose."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        PACKAGE, tmp_path / "classifieds", ignore=shutil.ignore_patterns("__pycache__", "*.json", "migrations")
    )
    return tmp_path


class TestImportContracts:
    def test_the_repository_keeps_every_contract(self):
        result = lint_imports(ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "0 broken" in result.stdout

    def test_every_app_has_its_place_in_the_layer_order(self):
        """A merge once left a blank line where five apps' layer was: the contract stayed "kept" while it
        no longer checked promotions, favorites, saved searches, messaging or moderation."""
        contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
        layers = next(contract for contract in contracts if contract["id"] == "layers")["layers"]
        assert all(layer.strip() for layer in layers), "a blank layer in the layers contract"
        placed = set(re.findall(r"classifieds\.(\w+)", " ".join(layers)))
        apps = {  # every package with production code (``smoke`` holds only tests)
            path.relative_to(PACKAGE).parts[0]
            for path in PACKAGE.glob("*/**/*.py")
            if "tests" not in path.parts and "migrations" not in path.parts and path.name != "__init__.py"
        }
        assert apps - placed == set(), "apps missing from the layers contract"

    def test_core_importing_search_fails_the_build_naming_the_rule(self, project_copy):
        (project_copy / "classifieds" / "core" / "shortcut.py").write_text(
            "from classifieds.search import placement  # a wrong import\n"
        )
        result = lint_imports(project_copy)
        assert result.returncode != 0
        assert "core knows no domain app" in result.stdout and "BROKEN" in result.stdout
        assert "classifieds.core.shortcut -> classifieds.search.placement" in result.stdout
        assert "Layer order" in result.stdout  # the layers contract names it too

    def test_a_view_importing_another_view_fails_the_build(self, project_copy):
        views = project_copy / "classifieds" / "web" / "views" / "saved.py"
        views.write_text(views.read_text() + "\nfrom classifieds.web.views import home  # noqa\n")
        result = lint_imports(project_copy)
        assert result.returncode != 0
        assert "Views never import views" in result.stdout


def _modules() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]


def test_no_module_imports_another_modules_private_names():
    """``from .views import _attribute_rows`` couples two modules through what one of them calls internal."""
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                private = [alias.name for alias in node.names if alias.name.startswith("_") and alias.asname != "_"]
                private = [name for name in private if not (name.startswith("__") and name.endswith("__"))]
                if private:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {', '.join(private)}")
    assert not found, "\n".join(found)


def test_no_module_outside_migrations_and_data_passes_500_lines():
    """Past ~500 lines a module is split (house style); word lists of the demo data are data, not code."""
    data = {PACKAGE / "demo" / "vocab.py"}
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for path in _modules()
        if path not in data and (count := len(path.read_text().splitlines())) > 500
    ]
    assert not long, "\n".join(long)
