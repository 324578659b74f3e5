"""Pytest fixtures for both storage engines: ``database`` is a fresh SQLite file or PostgreSQL
database per test, parametrised over the engines; PostgreSQL runs one throwaway cluster per test
session.

A fresh database is a copy of a template that already holds the current schema (``CREATE
DATABASE ... TEMPLATE``, a fraction of a second), so tests never share rows and the suite does not
pay for migrations or a cluster per test. Without PostgreSQL's programs the tests that need them
are skipped with the reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testbed.postgres_cluster import ClusterUnavailable, PostgresCluster
from testbed.server_processes import location_args

__all__ = [
    "ENGINES",
    "database",
    "empty_postgres_url",
    "location_args",
    "module_database",
    "postgres_cluster",
    "postgres_url",
    "select",
]

ENGINES = ("sqlite", "postgresql")

_TEMPLATE = "phonetex_migrated"
_names = itertools.count(1)


class _RunningCluster:
    """The session's cluster with a superuser connection for making databases."""

    def __init__(self, cluster: PostgresCluster) -> None:
        import psycopg

        self.cluster = cluster
        self._admin = psycopg.connect(
            host=str(cluster.socket_dir), port=cluster.port, user=cluster.user, dbname="postgres", autocommit=True
        )
        self._template_ready = False

    def url(self, database: str) -> str:
        return self.cluster.url(database)

    def new_database(self, *, migrated: bool) -> str:
        """A database nobody else uses; ``migrated`` ones already hold the current schema."""
        name = f"test_{next(_names)}"
        template = "template1"
        if migrated:
            self._make_template()
            template = _TEMPLATE
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def _make_template(self) -> None:
        if self._template_ready:
            return
        import psycopg

        from server.storage.migrations import upgrade_postgresql

        self._admin.execute(f'CREATE DATABASE "{_TEMPLATE}"')
        with psycopg.connect(self.url(_TEMPLATE)) as connection:
            upgrade_postgresql(connection, _TEMPLATE)
        self._template_ready = True

    def execute(self, database: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement in ``database`` as the superuser; the rows it returned, if any."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        self._admin.close()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[_RunningCluster]:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[server]')")
    try:
        cluster = PostgresCluster().start()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
    try:
        running = _RunningCluster(cluster)
        yield running
        running.close()
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: _RunningCluster) -> str:
    """``postgresql://...`` of a fresh database holding the current schema."""
    return postgres_cluster.url(postgres_cluster.new_database(migrated=True))


@pytest.fixture
def empty_postgres_url(postgres_cluster: _RunningCluster) -> str:
    """``postgresql://...`` of a fresh, empty database (no schema yet)."""
    return postgres_cluster.url(postgres_cluster.new_database(migrated=False))


def fresh_database(request: pytest.FixtureRequest, engine: str, folder: Path) -> str:
    """A new, migrated database of ``engine``: a file path in ``folder``, or a postgresql:// URL."""
    if engine == "sqlite":
        return str(folder / "consents.sqlite3")
    cluster: _RunningCluster = request.getfixturevalue("postgres_cluster")
    return cluster.url(cluster.new_database(migrated=True))


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store lives, once per engine: pass it to ``open_store`` or ``EmbeddedServer``."""
    return fresh_database(request, request.param, tmp_path)


@pytest.fixture(scope="module", params=ENGINES)
def module_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """As ``database``, shared by a module's tests (each opens its own sessions)."""
    return fresh_database(request, request.param, tmp_path_factory.mktemp(request.param))


def select(database: str, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (``?`` placeholders) read straight from either engine's database, past the
    server's own code: what a test checks is what is stored."""
    if "://" not in database:
        import sqlite3

        with sqlite3.connect(database) as connection:
            return connection.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(database) as connection:
        return connection.execute(sql.replace("?", "%s"), params).fetchall()
