"""Search backends, configured like ``CACHES`` in ``settings.SEARCH_BACKENDS``."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from .base import SearchBackend

_backends: dict[str, SearchBackend] = {}
_lock = threading.Lock()


def get_search_backend(alias: str = "default") -> SearchBackend:
    """The backend configured under ``alias`` (one instance per process)."""
    backend = _backends.get(alias)
    if backend is None:
        with _lock:
            backend = _backends.get(alias)
            if backend is None:
                config = settings.SEARCH_BACKENDS[alias]
                backend = import_string(config["BACKEND"])(alias, config)
                _backends[alias] = backend
    return backend


def _reset(*, setting: str, **kwargs) -> None:
    if setting == "SEARCH_BACKENDS":
        _backends.clear()


setting_changed.connect(_reset)

__all__ = ["SearchBackend", "get_search_backend"]
