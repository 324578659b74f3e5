"""The PostgreSQL engine: one database shared by several server processes.

Each process keeps a small psycopg connection pool. Nothing a process remembers decides what is
stored: one consent per session and one per receipt id are the tables' own constraints, and the
read-then-write of the domain (is this receipt new? is the session open? then store) is made safe
across processes by locks the reads of a write transaction take, in READ COMMITTED:

- a look-up of a receipt id (``consent_by_receipt``) first takes a transaction-scoped advisory
  lock on the receipt id (:meth:`PostgresTransaction._wait_for_receipt`), so a retry of a receipt that another process is storing right now waits for that
  commit and then finds its row: it gets the same answer instead of a refusal;
- a write transaction reads the session ``FOR UPDATE`` (:meth:`PostgresTransaction._row_lock`), so two consents (or a
  consent and a cancel) for one session take turns; the later one's next statement sees what the
  earlier one committed.

Writers on different sessions never wait for each other, unlike SQLite's one write lock. Locks
taken in a different order by two batches can deadlock; PostgreSQL then aborts one, and
:meth:`PostgresStore.write_each` runs that batch again. A unique violation the locks did not
foresee (two new sessions drawing one code) undoes only that item, which is tried again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from server.storage.consent_queries import ConsentQueries
from server.storage.console_queries import ConsoleQueries
from server.storage.interface import R, Store, StoreError, T, Transaction
from server.storage.limit_queries import LimitQueries
from server.storage.migrations import SchemaError, upgrade_postgresql
from server.storage.postgresql_url import DatabaseUrlError, check_url, connect, first_line, redact
from server.storage.provider_queries import ProviderQueries

log = logging.getLogger(__name__)

# A batch aborted as a deadlock victim is run again this often before its callers get the error.
_BATCH_TRIES = 5
# An item that hit a unique violation (it raced a write the locks do not cover) is tried again.
_ITEM_TRIES = 3
POOL_MIN = 1
POOL_MAX = 10


@functools.lru_cache(maxsize=512)
def _placeholders(query: str) -> str:
    """The shared queries' ``?`` as psycopg's ``%s`` (server.storage.queries), once per statement."""
    return query.replace("?", "%s")


class PostgresTransaction(ConsentQueries, ProviderQueries, LimitQueries, ConsoleQueries, Transaction):
    """The shared query sets (server.storage.queries) on one pooled connection, with the locks
    that keep several processes' read-then-write correct (module docstring)."""

    def __init__(self, connection: psycopg.Connection[Any], *, writing: bool) -> None:
        self._db = connection
        self._writing = writing

    def _run(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(_placeholders(query), tuple(params))

    def _row_lock(self) -> str:
        return " FOR UPDATE" if self._writing else ""

    def _wait_for_receipt(self, receipt_id: str) -> None:
        if self._writing:
            # Its own statement: the SELECT that follows must take its snapshot after the wait.
            self._db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (receipt_id,))

    def _may_write(self) -> bool:
        return self._writing  # a READ ONLY transaction refuses even a DELETE of ended rows


class PostgresStore(Store):
    """The database at ``url`` (``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB``), migrated to
    this server's schema when opened (a newer one is refused)."""

    waits_on_network = True
    # Measured (make bench-server-pg, README): concurrent transactions, each on a connection of
    # its own, beat one batch per process; PostgreSQL already shares a WAL flush between commits.
    group_commit_pays = False
    pipelined = True
    # Reads of the routes run on this many threads (server.storage.runner), a connection each.
    threads = POOL_MAX - 2

    def __init__(self, url: str, *, pool_min: int = POOL_MIN, pool_max: int = POOL_MAX) -> None:
        super().__init__()
        try:
            self.url = check_url(url)
            # One plain connection first: it says clearly why a database cannot be reached, and
            # brings the schema up to date before any request is served.
            with connect(self.url, autocommit=True) as first:
                upgrade_postgresql(first, self.description)
                setting = first.execute("SHOW synchronous_commit").fetchone()
                lazy_commits = setting is not None and setting[0] == "off"
        except (DatabaseUrlError, SchemaError) as exc:
            raise StoreError(str(exc)) from None
        except psycopg.Error as exc:
            raise StoreError(f"Cannot use {self.description} as the consent database: {first_line(exc)}") from None
        # autocommit: every transaction is opened explicitly below, with the isolation it needs.
        self._pool = ConnectionPool(
            self.url,
            min_size=pool_min,
            max_size=pool_max,
            # A 201 tells the customer their consent is on record: a server configured to
            # acknowledge commits before they are on disk gets 'on' for our sessions.
            kwargs={"autocommit": True, **({"options": "-c synchronous_commit=on"} if lazy_commits else {})},
            open=False,
            name="consents",
        )
        try:
            self._pool.open(wait=True, timeout=10)
        except PoolTimeout:
            self._pool.close()
            raise StoreError(f"Cannot open connections to {self.description} (the pool timed out).") from None

    @property
    def description(self) -> str:
        return redact(self.url)

    @property
    def connections(self) -> int:
        """How many transactions can run at once (the pool's size)."""
        return self._pool.max_size

    @contextmanager
    def _begun(self, begin: str, *, writing: bool) -> Iterator[tuple[psycopg.Connection[Any], Transaction]]:
        with self._pool.connection() as connection:
            connection.execute(begin)
            try:
                yield connection, PostgresTransaction(connection, writing=writing)
                connection.execute("COMMIT")
            except BaseException:
                # A broken connection cannot roll back; the pool discards it when it comes back.
                if connection.info.transaction_status != psycopg.pq.TransactionStatus.UNKNOWN:
                    connection.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._begun("BEGIN", writing=True) as (_, tx):
            yield tx

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        with self._begun("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing=False) as (_, tx):
            yield tx

    @contextmanager
    def reading_once(self) -> Iterator[Transaction]:
        # The pool's connections are in autocommit mode: the one query is its own transaction.
        with self._pool.connection() as connection:
            yield PostgresTransaction(connection, writing=False)

    def write_each(self, items: Sequence[T], write: Callable[[Transaction, T], R]) -> list[R | Exception]:
        for attempt in range(1, _BATCH_TRIES + 1):
            try:
                with self._begun("BEGIN", writing=True) as (connection, tx):
                    if not self.pipelined:
                        return [self._write_one(connection, None, tx, item, write) for item in items]
                    # Statements whose results nobody reads (savepoints, locks, the writes) go out
                    # with the next read instead of costing a round trip each.
                    with connection.pipeline() as pipeline:
                        return [self._write_one(connection, pipeline, tx, item, write) for item in items]
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                if attempt == _BATCH_TRIES:
                    raise
                log.info("a batch of %d consents lost a deadlock; running it again", len(items))
        raise AssertionError("unreachable")

    @staticmethod
    def _write_one(
        connection: psycopg.Connection[Any],
        pipeline: psycopg.Pipeline | None,
        tx: Transaction,
        item: T,
        write: Callable[[Transaction, T], R],
    ) -> R | Exception:
        for attempt in range(1, _ITEM_TRIES + 1):
            connection.execute("SAVEPOINT item")
            try:
                outcome: R | Exception = write(tx, item)
                if pipeline is not None:
                    pipeline.sync()  # this item's writes are done: their errors are its own
            except pg_errors.UniqueViolation as exc:
                connection.execute("ROLLBACK TO SAVEPOINT item")
                if attempt == _ITEM_TRIES:
                    outcome = exc
                else:
                    continue
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, psycopg.OperationalError):
                raise  # the whole transaction is gone: write_each decides
            except Exception as exc:  # noqa: BLE001 - any refusal or failure of one item is its answer alone
                connection.execute("ROLLBACK TO SAVEPOINT item")
                outcome = exc
            connection.execute("RELEASE SAVEPOINT item")
            return outcome
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._pool.close()
