"""Versioned schema migrations, one numbered SQL file per change and engine.

``sqlite/NNNN_name.sql`` and ``postgresql/NNNN_name.sql`` come in pairs: the same change, written
for each engine, under the same number and name. A database's version is the number of the last
migration applied to it: SQLite keeps it in ``PRAGMA user_version`` (release 0.1 wrote 1 there, so
its files need no bookkeeping of their own), PostgreSQL in the ``schema_migrations`` table.

Each upgrade runs in one transaction with its version record, so a failure leaves the database
as it was. On PostgreSQL the transaction first takes an advisory lock, so several server
processes starting together apply each migration once; on SQLite ``BEGIN IMMEDIATE`` does the
same. A database newer than this server is refused: its code does not know what the newer
columns and tables mean, and writing to it could break the server that made them.

A landed migration is never edited; a change is a new number.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

ENGINES = ("sqlite", "postgresql")
_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
# Any constant will do: it only has to be the same in every process of this server.
_ADVISORY_LOCK_KEY = 0x50_48_4F_4E  # "PHON"


class SchemaError(Exception):
    """The database's schema cannot be used by this server; the message says why and what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


@cache
def migrations(engine: str) -> tuple[Migration, ...]:
    """The engine's migrations in order; numbered 1, 2, 3 ... without gaps."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    found = []
    for entry in resources.files(__package__).joinpath(engine).iterdir():
        match = _FILE_NAME.fullmatch(entry.name)
        if match is None:
            if entry.name.endswith(".sql"):
                raise ValueError(f"migration file {engine}/{entry.name} is not named NNNN_name.sql")
            continue
        found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    numbers = [migration.version for migration in found]
    if numbers != list(range(1, len(found) + 1)):
        raise ValueError(f"{engine} migrations must be numbered 1, 2, 3 ... once each, found {numbers}")
    return tuple(found)


def latest_version(engine: str) -> int:
    return len(migrations(engine))


def pending(engine: str, version: int) -> tuple[Migration, ...]:
    return migrations(engine)[version:]


def refuse_newer(engine: str, version: int, where: str) -> None:
    known = latest_version(engine)
    if version > known:
        raise SchemaError(
            f"{where} was made by a newer consent server (schema version {version}; this server knows "
            f"up to {known}). Run the newer server, or restore a backup made before it was upgraded."
        )


def sqlite_statements(script: str) -> list[str]:
    """``script`` cut into whole statements (a trigger's body stays one), comments dropped."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"an SQL statement is not finished: {current.strip()[:80]!r}")
    return statements


# -- SQLite -----------------------------------------------------------------------------------


def sqlite_version(connection: sqlite3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def upgrade_sqlite(connection: sqlite3.Connection, where: str) -> list[Migration]:
    """Bring the file up to date; return what was applied. ``connection`` must be in autocommit
    mode (``isolation_level=None``) with no transaction open."""
    refuse_newer("sqlite", sqlite_version(connection), where)
    applied: list[Migration] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have upgraded meanwhile.
        version = sqlite_version(connection)
        refuse_newer("sqlite", version, where)
        for migration in pending("sqlite", version):
            for statement in sqlite_statements(migration.sql):
                connection.execute(statement)
            applied.append(migration)
        if applied:
            # PRAGMA takes no parameters; the value is our own integer.
            connection.execute(f"PRAGMA user_version = {applied[-1].version:d}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return applied


# -- PostgreSQL -------------------------------------------------------------------------------

_PG_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


def _scalar(connection: psycopg.Connection[Any], sql: str) -> Any:
    row = connection.execute(sql).fetchone()
    assert row is not None  # a SELECT without FROM, or of an aggregate, always has its one row
    return row[0]


def postgresql_version(connection: psycopg.Connection[Any]) -> int:
    """The last migration applied; 0 for an empty database."""
    if _scalar(connection, "SELECT to_regclass('schema_migrations')") is None:
        return 0
    return int(_scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations"))


def upgrade_postgresql(connection: psycopg.Connection[Any], where: str) -> list[Migration]:
    """Bring the database up to date in one transaction; return what was applied."""
    applied: list[Migration] = []
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
        connection.execute(_PG_VERSION_TABLE)
        version = postgresql_version(connection)
        refuse_newer("postgresql", version, where)
        for migration in pending("postgresql", version):
            # No parameters: psycopg sends the file as one simple query, several statements and all.
            connection.execute(migration.sql.encode("utf-8"))
            connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (migration.version, migration.name)
            )
            applied.append(migration)
    return applied
