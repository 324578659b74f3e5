"""What ``python -m server migrate`` does and says: a database's schema version, brought up to date
unless only a check was asked for."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from server.storage import StoreError, migrations
from server.storage.migrations import Migration, SchemaError
from server.storage.postgresql_url import connect, redact
from server.storage.sqlite import SqliteStore


@dataclass(frozen=True)
class SchemaReport:
    where: str
    before: int
    after: int
    pending: tuple[Migration, ...]

    @classmethod
    def of(cls, *, db: str | None = None, database: str | None = None, upgrade: bool) -> SchemaReport:
        """Raises ``ValueError`` for an address that cannot be used, :class:`StoreError` for a
        database that cannot be (a newer one included)."""
        try:
            if database is not None:
                return cls._postgresql(database, upgrade)
            assert db is not None
            return cls._sqlite(Path(db), upgrade)
        except SchemaError as exc:
            raise StoreError(str(exc)) from None

    @classmethod
    def _sqlite(cls, path: Path, upgrade: bool) -> SchemaReport:
        before = _sqlite_version(path) if path.is_file() else 0
        if upgrade:
            SqliteStore(path).close()  # opening a store migrates it, or says why it cannot
        elif not path.is_file():
            raise ValueError(f"There is no database file {path}.")
        migrations.refuse_newer("sqlite", before, str(path))
        after = _sqlite_version(path)
        return cls(str(path), before, after, migrations.pending("sqlite", after))

    @classmethod
    def _postgresql(cls, url: str, upgrade: bool) -> SchemaReport:
        with connect(url, autocommit=True) as connection:
            before = migrations.postgresql_version(connection)
            migrations.refuse_newer("postgresql", before, redact(url))
            if upgrade:
                migrations.upgrade_postgresql(connection, redact(url))
            after = migrations.postgresql_version(connection)
        return cls(redact(url), before, after, migrations.pending("postgresql", after))

    def describe(self) -> str:
        if self.pending:
            names = ", ".join(migration.label for migration in self.pending)
            return (
                f"{self.where} is at schema version {self.after}; not yet applied: {names}. "
                "Run `python -m server migrate` without --check to apply them."
            )
        if self.after > self.before:
            return f"{self.where}: migrated from schema version {self.before} to {self.after}."
        return f"{self.where} is up to date (schema version {self.after})."


def _sqlite_version(path: Path) -> int:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return migrations.sqlite_version(connection)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot read the database {path}: {exc}.") from None
