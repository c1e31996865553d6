"""Hooks for the development tools ``make run`` turns on (DEBUG only; never imported otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def show_debug_toolbar(request: HttpRequest) -> bool:
    """The debug toolbar's own rule (DEBUG, INTERNAL_IPS), but not for static and media files.

    The toolbar keeps the data of its last 25 requests for its panels, and every request through its
    middleware counts, whitenoise's static files and the media URLs included: an Admin page loads more
    CSS and JS than that, so its panels were gone before a developer could open one. Files also do not
    need the toolbar's instrumentation.
    """
    from debug_toolbar.middleware import show_toolbar  # a dev-only dependency

    return show_toolbar(request) and not request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL))
