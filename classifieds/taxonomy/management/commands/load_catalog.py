"""``manage.py load_catalog``: load the category and location trees shipped with the app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from classifieds.taxonomy.services import CatalogError, CatalogLoadResult, UpsertCounts, catalog_load

FIXTURES = Path(__file__).resolve().parents[2] / "catalog_data"  # not fixtures/: loaddata would pick it up
DEFAULT_CATEGORIES = FIXTURES / "categories.json"
DEFAULT_LOCATIONS = FIXTURES / "locations.json"


def read_catalog_file(path: Path) -> list[Any]:
    """The list of root nodes stored in a catalog JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
    except json.JSONDecodeError as exc:
        raise CommandError(_("%(path)s is not valid JSON: %(error)s") % {"path": path, "error": exc}) from exc
    if not isinstance(data, list):
        raise CommandError(_("%(path)s must hold a list of root nodes.") % {"path": path})
    return data


class Command(BaseCommand):
    help = "Create or update categories (with attribute schemas) and locations from JSON files. Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--categories", type=Path, default=DEFAULT_CATEGORIES, help="category tree JSON (default: shipped file)"
        )
        parser.add_argument(
            "--locations", type=Path, default=DEFAULT_LOCATIONS, help="location tree JSON (default: shipped file)"
        )

    def handle(self, *args: Any, categories: Path, locations: Path, **options: Any) -> None:
        category_data = read_catalog_file(categories)
        location_data = read_catalog_file(locations)
        try:
            result = catalog_load(categories=category_data, locations=location_data)
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result)

    def _report(self, result: CatalogLoadResult) -> None:
        rows: list[tuple[str, UpsertCounts]] = [
            (_("categories"), result.categories),
            (_("attributes"), result.attributes),
            (_("options"), result.options),
            (_("locations"), result.locations),
        ]
        for name, counts in rows:
            self.stdout.write(
                _("%(name)s: %(total)s (%(created)s created, %(updated)s updated, %(unchanged)s unchanged)")
                % {
                    "name": name.capitalize(),
                    "total": counts.total,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        if result.paths_rebuilt:
            self.stdout.write(_("Tree paths recomputed: %(count)s rows.") % {"count": result.paths_rebuilt})
        message = _("Catalog loaded.") if result.changed else _("Catalog already up to date.")
        self.stdout.write(self.style.SUCCESS(message))
