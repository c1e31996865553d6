"""Fixtures of the core tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def worker_queue():
    """The real queue storage, empty, with jobs left for a worker (tests otherwise run them in-process)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    HUEY.storage.flush_queue()
    yield HUEY
    HUEY.storage.flush_queue()
    HUEY.immediate = True
