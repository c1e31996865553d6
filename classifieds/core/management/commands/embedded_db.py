"""``manage.py embedded_db stop``: stop the local PostgreSQL when nothing uses it any more."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from classifieds.core.embedded_pg import stop_if_unused


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL under var/ if no live process uses it (make run calls this on exit)."
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["stop"])

    def handle(self, *args, action: str, **options) -> None:
        pgdata = settings.DATABASES["default"].get("PGDATA")
        if not pgdata:
            raise CommandError("DATABASE_URL is set: there is no embedded PostgreSQL to stop.")
        self.stdout.write(f"embedded PostgreSQL: {stop_if_unused(pgdata)}")
