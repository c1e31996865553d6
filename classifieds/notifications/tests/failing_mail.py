"""An email backend whose SMTP server is down: the boundary where a send fails."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server down")
