"""The PostgreSQL engine: one database shared by several server processes.

Each process keeps a small psycopg connection pool. Nothing a process remembers decides what is
stored: one consent per session and one per receipt id are the tables' own constraints, and the
read-then-write of the domain (is this receipt new? is the session open? then store) is made safe
across processes by locks the reads of a write transaction take, in READ COMMITTED:

- :meth:`PostgresTransaction.consent_by_receipt` first takes a transaction-scoped advisory lock on
  the receipt id, so a retry of a receipt that another process is storing right now waits for that
  commit and then finds its row: it gets the same answer instead of a refusal;
- :meth:`PostgresTransaction.session` reads the session ``FOR UPDATE``, so two consents (or a
  consent and a cancel) for one session take turns; the later one's next statement sees what the
  earlier one committed.

Writers on different sessions never wait for each other, unlike SQLite's one write lock. Locks
taken in a different order by two batches can deadlock; PostgreSQL then aborts one, and
:meth:`PostgresStore.write_each` runs that batch again. A unique violation the locks did not
foresee (two new sessions drawing one code) undoes only that item, which is tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from server.storage.console_queries import ConsoleQueries
from server.storage.interface import (
    ConsentRow,
    ProviderSwitchRow,
    R,
    SessionReportRow,
    SessionRow,
    Store,
    StoreError,
    T,
    Transaction,
    WithdrawalRow,
)
from server.storage.migrations import SchemaError, upgrade_postgresql
from server.storage.postgresql_url import DatabaseUrlError, check_url, connect, first_line, redact

log = logging.getLogger(__name__)

_SESSION_COLUMNS = (
    "code, technician, ticket, join_url, provider, created_at, expires_at, status, provider_session_id, technician_url"
)
_SWITCH_COLUMNS = (
    "session_code, switched_at, technician, from_provider, to_provider, provider_session_id, join_url, after_consent"
)
_REPORT_COLUMNS = (
    "session_code, provider, provider_session_id, state, attempts, next_check_at, started_at, ended_at, "
    "duration_seconds, flag, detail, updated_at"
)
_CONSENT_COLUMNS = "session_code, receipt_id, reference, record_json, received_at, answer_json"
_WITHDRAWAL_COLUMNS = "receipt_id, withdrawn_at, reason"
# A batch aborted as a deadlock victim is run again this often before its callers get the error.
_BATCH_TRIES = 5
# An item that hit a unique violation (it raced a write the locks do not cover) is tried again.
_ITEM_TRIES = 3
POOL_MIN = 1
POOL_MAX = 10


class PostgresTransaction(ConsoleQueries, Transaction):
    def __init__(self, connection: psycopg.Connection[Any], *, writing: bool) -> None:
        self._db = connection
        self._writing = writing

    def _run(self, query: str, params: Sequence[Any] = ()) -> Any:
        # The console's queries are written with "?" (server.storage.console_queries).
        return self._db.execute(query.replace("?", "%s"), tuple(params))

    def _one(self, query: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return self._db.execute(query, params).fetchone()

    def session(self, code: str) -> SessionRow | None:
        lock = " FOR UPDATE" if self._writing else ""
        row = self._one(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE code = %s{lock}", (code,))
        return None if row is None else SessionRow(*row)

    def consent_for_session(self, code: str) -> ConsentRow | None:
        row = self._one(f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE session_code = %s", (code,))
        return None if row is None else ConsentRow(*row)

    def consent_by_receipt(self, receipt_id: str) -> ConsentRow | None:
        if self._writing:
            # Its own statement: the SELECT below must take its snapshot after the wait.
            self._db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (receipt_id,))
        row = self._one(f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE receipt_id = %s", (receipt_id,))
        return None if row is None else ConsentRow(*row)

    def reference_in_use(self, reference: str) -> bool:
        return self._one("SELECT 1 FROM consents WHERE reference = %s", (reference,)) is not None

    def insert_session(self, session: SessionRow) -> None:
        self._db.execute(
            f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                session.code, session.technician, session.ticket, session.join_url,
                session.provider, session.created_at, session.expires_at, session.status,
                session.provider_session_id, session.technician_url,
            ),
        )

    def insert_consent(self, consent: ConsentRow) -> None:
        self._db.execute(
            f"INSERT INTO consents ({_CONSENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
            (
                consent.session_code, consent.receipt_id, consent.reference,
                consent.record_json, consent.received_at, consent.answer_json,
            ),
        )

    def set_status(self, code: str, status: str) -> None:
        self._db.execute("UPDATE sessions SET status = %s WHERE code = %s", (status, code))

    def withdrawal(self, receipt_id: str) -> WithdrawalRow | None:
        row = self._one(f"SELECT {_WITHDRAWAL_COLUMNS} FROM withdrawals WHERE receipt_id = %s", (receipt_id,))
        return None if row is None else WithdrawalRow(*row)

    def insert_withdrawal(self, withdrawal: WithdrawalRow) -> None:
        self._db.execute(
            f"INSERT INTO withdrawals ({_WITHDRAWAL_COLUMNS}) VALUES (%s, %s, %s)",
            (withdrawal.receipt_id, withdrawal.withdrawn_at, withdrawal.reason),
        )

    def consent_count(self) -> int:
        return int(self._one("SELECT count(*) FROM consents", ())[0])  # type: ignore[index]

    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        row = self._one("SELECT value FROM secrets WHERE name = %s", (name,))
        if row is None:
            # Several processes may make one at once: the first INSERT wins, all read the winner.
            self._db.execute(
                "INSERT INTO secrets (name, value) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING", (name, make())
            )
            row = self._one("SELECT value FROM secrets WHERE name = %s", (name,))
        assert row is not None
        return bytes(row[0])

    def wrong_codes_since(self, client_key: str, since: float) -> tuple[int, float | None]:
        row = self._db.execute(
            "SELECT count(*), min(failed_at) FROM wrong_codes WHERE client_key = %s AND failed_at > %s",
            (client_key, since),
        ).fetchone()
        return (0, None) if row is None else (int(row[0]), row[1])

    def add_wrong_code(self, client_key: str, at: float, *, forget_before: float) -> None:
        self._db.execute("DELETE FROM wrong_codes WHERE failed_at <= %s", (forget_before,))
        self._db.execute("INSERT INTO wrong_codes (client_key, failed_at) VALUES (%s, %s)", (client_key, at))

    def wrong_code_clients_since(self, since: float) -> int:
        row = self._db.execute("SELECT count(DISTINCT client_key) FROM wrong_codes WHERE failed_at > %s", (since,)).fetchone()
        return 0 if row is None else int(row[0])

    def remove_before(self, cutoff: str) -> tuple[int, int]:
        consents = self._db.execute(
            "DELETE FROM consents WHERE received_at < %s "
            "OR session_code IN (SELECT code FROM sessions WHERE expires_at < %s) RETURNING session_code",
            (cutoff, cutoff),
        ).fetchall()
        sessions = self._db.execute("DELETE FROM sessions WHERE expires_at < %s", (cutoff,)).rowcount
        # A session still running when its consent aged out (a retention shorter than a session).
        for (code,) in consents:
            sessions += self._db.execute("DELETE FROM sessions WHERE code = %s", (code,)).rowcount
        return sessions, len(consents)


    def switch_provider(self, switch: ProviderSwitchRow, technician_url: str | None) -> None:
        self._db.execute(
            "UPDATE sessions SET provider = %s, join_url = %s, provider_session_id = %s, technician_url = %s "
            "WHERE code = %s",
            (switch.to_provider, switch.join_url, switch.provider_session_id, technician_url, switch.session_code),
        )
        self._db.execute(
            f"INSERT INTO provider_switches ({_SWITCH_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                switch.session_code, switch.switched_at, switch.technician, switch.from_provider,
                switch.to_provider, switch.provider_session_id, switch.join_url, int(switch.after_consent),
            ),
        )

    def provider_switches(self, code: str) -> list[ProviderSwitchRow]:
        rows = self._db.execute(
            f"SELECT {_SWITCH_COLUMNS} FROM provider_switches WHERE session_code = %s ORDER BY id", (code,)
        ).fetchall()
        return [
            ProviderSwitchRow(
                session_code=row[0], switched_at=row[1], technician=row[2], from_provider=row[3],
                to_provider=row[4], provider_session_id=row[5], join_url=row[6], after_consent=bool(row[7]),
            )
            for row in rows
        ]

    def session_report(self, code: str, provider_session_id: str) -> SessionReportRow | None:
        row = self._one(
            f"SELECT {_REPORT_COLUMNS} FROM session_reports WHERE session_code = %s AND provider_session_id = %s",
            (code, provider_session_id),
        )
        return None if row is None else SessionReportRow(*row)

    def put_session_report(self, report: SessionReportRow) -> None:
        self._db.execute(
            f"INSERT INTO session_reports ({_REPORT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (session_code, provider_session_id) DO UPDATE SET provider = EXCLUDED.provider, "
            "state = EXCLUDED.state, attempts = EXCLUDED.attempts, next_check_at = EXCLUDED.next_check_at, "
            "started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, "
            "duration_seconds = EXCLUDED.duration_seconds, flag = EXCLUDED.flag, detail = EXCLUDED.detail, "
            "updated_at = EXCLUDED.updated_at",
            (
                report.session_code, report.provider, report.provider_session_id, report.state,
                report.attempts, report.next_check_at, report.started_at, report.ended_at,
                report.duration_seconds, report.flag, report.detail, report.updated_at,
            ),
        )

    def sessions_awaiting_report(self, now: str, limit: int) -> list[str]:
        rows = self._db.execute(
            """
            SELECT s.code FROM sessions AS s
            LEFT JOIN session_reports AS r
                ON r.session_code = s.code AND r.provider_session_id = s.provider_session_id
            WHERE s.status = 'consented' AND s.provider_session_id IS NOT NULL
                AND (r.session_code IS NULL OR (r.state = 'pending' AND r.next_check_at <= %s))
            ORDER BY s.created_at LIMIT %s
            """,
            (now, limit),
        ).fetchall()
        return [row[0] for row in rows]
    def record_lockout(self, network: str, until: str) -> None:
        self._db.execute(
            "INSERT INTO lockouts (network, until) VALUES (%s, %s) "
            "ON CONFLICT (network) DO UPDATE SET until = greatest(lockouts.until, excluded.until)",
            (network, until),
        )

    def lockouts(self, now: str) -> list[tuple[str, str]]:
        if self._writing:
            self._db.execute("DELETE FROM lockouts WHERE until <= %s", (now,))
        rows = self._db.execute("SELECT network, until FROM lockouts WHERE until > %s", (now,)).fetchall()
        return [(row[0], row[1]) for row in rows]


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
