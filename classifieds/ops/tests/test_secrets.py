"""Rotating the Django secret key without signing everybody out (deploy/runbooks/secrets.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from classifieds.accounts.tests.factories import UserFactory

OLD, NEW = "old-secret-key-" + "o" * 40, "new-secret-key-" + "n" * 40


def test_settings_read_the_previous_keys_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": NEW,
        "DJANGO_SECRET_KEY_FALLBACKS": f"{OLD}, older-key",
        "BOZOR_VAR_DIR": str(tmp_path),
    }
    code = (
        "import json; from classifieds import settings as s; print(json.dumps([s.SECRET_KEY, s.SECRET_KEY_FALLBACKS]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [NEW, [OLD, "older-key"]]


@pytest.mark.django_db
class TestRotation:
    def signed_in_client(self, client, settings):
        settings.SECRET_KEY = OLD
        client.force_login(UserFactory())
        assert client.get("/u/listings/").status_code == 200
        return client

    def test_with_the_old_key_as_fallback_people_stay_signed_in(self, client, settings):
        client = self.signed_in_client(client, settings)
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
        assert client.get("/u/listings/").status_code == 200

    def test_without_it_everybody_is_signed_out(self, client, settings):
        client = self.signed_in_client(client, settings)
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []
        assert client.get("/u/listings/").status_code == 302
