"""Browser tests start signed in: a signed-in client's session cookie, handed to the browser.

Sign-in itself has its own browser test (``test_browser.py``).
"""

from __future__ import annotations

from django.test import Client


def session_cookie(live_server, user) -> dict:
    """The ``sessionid`` cookie of ``user`` for ``context.add_cookies``."""
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def sign_in(context, live_server, user) -> None:
    """Make the browser ``context`` signed in as ``user``."""
    context.add_cookies([session_cookie(live_server, user)])
