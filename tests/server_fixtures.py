"""Pytest fixtures around the real reference consent server (sample records: ``testbed.consent_records``).

Loaded for every test through ``pytest_plugins = ["tests.server_fixtures"]`` in conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.embedded import EmbeddedServer

__all__ = ["consent_server", "engine_server"]


@pytest.fixture
def consent_server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    """A running demo-enabled server on a fresh SQLite file in ``tmp_path``."""
    with EmbeddedServer(tmp_path / "consents.sqlite3") as server:
        yield server


@pytest.fixture
def engine_server(database: str) -> Iterator[EmbeddedServer]:
    """As ``consent_server``, once on each engine (SQLite, PostgreSQL: tests.database_fixtures),
    for the API and storage tests. The launcher's own tests keep ``consent_server``: what they
    check is the launcher, and the server under them is the same code on either engine."""
    with EmbeddedServer(database) as server:
        yield server
