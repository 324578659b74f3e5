"""The SQLite engine: one database file, the embedded default.

One connection, guarded by a lock, serves every thread of the web server: SQLite serialises
writers anyway, and a single connection keeps WAL readers and the writer from tripping over each
other's locks inside one process. ``busy_timeout`` covers the other writer that can exist, the
``create-session`` command running in a second process against the same file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from server.storage.consent_queries import ConsentQueries
from server.storage.console_queries import ConsoleQueries
from server.storage.interface import R, Store, StoreError, T, Transaction
from server.storage.limit_queries import LimitQueries
from server.storage.migrations import SchemaError, upgrade_sqlite
from server.storage.provider_queries import ProviderQueries

# Waited on the store's own thread (server.storage.runner), never on the event loop: another
# process (create-session, a backup tool) may hold the write lock for seconds without a refusal.
BUSY_TIMEOUT_MS = 10_000



class SqliteTransaction(ConsentQueries, ProviderQueries, LimitQueries, ConsoleQueries, Transaction):
    """The shared query sets (server.storage.queries) on the store's one connection."""

    # Each step's place in its session: SQLite has no identity columns.
    STEP_SEQ = "(SELECT coalesce(max(seq), 0) + 1 FROM step_events)"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def _run(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(query, tuple(params))


def _is_full(error: BaseException | None) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error).lower()


class SqliteStore(Store):
    """The server's database file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self._full = False  # the last write found the disk full: checkpoint before the next
        self.path = Path(path)
        self._lock = threading.Lock()
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; give the path of a database file inside it.")
        try:
            # isolation_level=None: transactions are opened explicitly with BEGIN IMMEDIATE, so a
            # read-then-write (is this receipt new? then store it) cannot interleave with another
            # process's write.
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
            )
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database {self.path}: {exc} (does its folder exist?)") from None
        try:
            self._prepare()
        except SchemaError as exc:
            self._db.close()
            raise StoreError(str(exc)) from None
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"Cannot use {self.path} as the consent database: {exc}.") from None

    @property
    def description(self) -> str:
        return str(self.path)

    def _prepare(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise sqlite3.OperationalError(f"the file system does not support WAL mode (got {mode})")
        # FULL: a 201 tells the customer their consent is on record, so it must survive a power cut.
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        upgrade_sqlite(db, str(self.path))

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock:
            if self._full:
                self._checkpoint()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteTransaction(self._db)
                self._db.execute("COMMIT")
            except BaseException as error:
                # A failed COMMIT (disk full, I/O error) must not leave the transaction open, or
                # every later BEGIN on this connection would fail too.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._full = self._full or _is_full(error)
                raise

    def _checkpoint(self) -> None:
        """After a full disk: once there is room again, move the WAL into the database file and
        truncate it, so the space the WAL took is given back and writes go on as before."""
        try:
            busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error:
            return  # still no room: the write that follows fails and says so
        self._full = bool(busy)

    def write_each(self, items: Sequence[T], write: Callable[[Transaction, T], R]) -> list[R | Exception]:
        outcomes: list[R | Exception] = []
        with self.transaction() as tx:
            for item in items:
                self._db.execute("SAVEPOINT item")
                try:
                    outcomes.append(write(tx, item))
                except Exception as exc:
                    if not self._db.in_transaction:
                        # SQLite rolled the whole transaction back itself (a full disk does):
                        # nothing of the batch is kept, so none of it may be answered as stored.
                        raise
                    self._db.execute("ROLLBACK TO item")
                    outcomes.append(exc)
                self._db.execute("RELEASE item")
        return outcomes

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        with self._lock:
            yield SqliteTransaction(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()
