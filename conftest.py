"""Project-wide pytest set-up: real PostgreSQL (embedded unless DATABASE_URL is set)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def huey_immediate():
    """Tasks run in-process during tests, so effects are visible synchronously."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language.

    LocaleMiddleware leaves the language of the last request active in the
    thread, so a test that visited /uz/ would otherwise turn the next one Uzbek.
    """
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Each test writes media to its own folder (cache rows roll back with the test)."""
    from django.core.cache import caches

    from classifieds.search.synonyms import forget_synonyms

    caches["local"].clear()  # per-process thumbnails and cards must not outlive the test's rows and media
    forget_synonyms()  # nor the per-process synonym groups read from another test's rows
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": "/media/"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
