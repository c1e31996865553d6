"""List orders whose state disagrees with their payments or with a provider's statement."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from classifieds.payments.reconcile import reconcile


class Command(BaseCommand):
    help = "Orders whose state disagrees with their payments, or with a provider statement (--statement)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=7, help="orders created in the last N days (default 7)")
        parser.add_argument(
            "--statement", type=Path, help="the provider's statement as JSON (Payme GetStatement: transactions)"
        )
        parser.add_argument("--provider", default="payme", help="whose statement --statement is (default payme)")

    def handle(self, *args, days: int, statement: Path | None, provider: str, **options) -> None:
        rows = None
        if statement is not None:
            data = json.loads(statement.read_text())
            rows = data.get("result", data).get("transactions", []) if isinstance(data, dict) else data
        mismatches = reconcile(since=timezone.now() - timedelta(days=days), statement=rows, provider=provider)
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        if mismatches:
            raise CommandError(f"{len(mismatches)} mismatch(es)")
        self.stdout.write(self.style.SUCCESS("orders and payments agree"))
