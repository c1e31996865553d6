"""``manage.py avatars_reencode``: run avatars stored before the photo pipeline through it (once, after deploy)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from classifieds.accounts.services import users_reencode_avatars


class Command(BaseCommand):
    help = "Re-encode every stored avatar (drops EXIF/GPS, our JPEG, bounded size); undecodable ones are removed."

    def handle(self, *args, **options) -> None:
        """Re-encode and report how many."""
        done, removed = users_reencode_avatars()
        self.stdout.write(f"avatars re-encoded: {done}, removed (unreadable): {removed}")
