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
from server.storage.migrations import SchemaError, upgrade_sqlite

# Waited on the store's own thread (server.storage.runner), never on the event loop: another
# process (create-session, a backup tool) may hold the write lock for seconds without a refusal.
BUSY_TIMEOUT_MS = 10_000

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


class SqliteTransaction(ConsoleQueries, Transaction):
    # Each step's place in its session: SQLite has no identity columns.
    STEP_SEQ = "(SELECT coalesce(max(seq), 0) + 1 FROM step_events)"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def _run(self, query: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(query, tuple(params))

    def session(self, code: str) -> SessionRow | None:
        row = self._db.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE code = ?", (code,)).fetchone()
        return None if row is None else SessionRow(*row)

    def consent_for_session(self, code: str) -> ConsentRow | None:
        row = self._db.execute(
            f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE session_code = ?", (code,)
        ).fetchone()
        return None if row is None else ConsentRow(*row)

    def consent_by_receipt(self, receipt_id: str) -> ConsentRow | None:
        row = self._db.execute(
            f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE receipt_id = ?", (receipt_id,)
        ).fetchone()
        return None if row is None else ConsentRow(*row)

    def reference_in_use(self, reference: str) -> bool:
        return self._db.execute("SELECT 1 FROM consents WHERE reference = ?", (reference,)).fetchone() is not None

    def insert_session(self, session: SessionRow) -> None:
        self._db.execute(
            f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.code, session.technician, session.ticket, session.join_url,
                session.provider, session.created_at, session.expires_at, session.status,
                session.provider_session_id, session.technician_url,
            ),
        )

    def insert_consent(self, consent: ConsentRow) -> None:
        self._db.execute(
            f"INSERT INTO consents ({_CONSENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                consent.session_code, consent.receipt_id, consent.reference,
                consent.record_json, consent.received_at, consent.answer_json,
            ),
        )

    def set_status(self, code: str, status: str) -> None:
        self._db.execute("UPDATE sessions SET status = ? WHERE code = ?", (status, code))

    def withdrawal(self, receipt_id: str) -> WithdrawalRow | None:
        row = self._db.execute(
            f"SELECT {_WITHDRAWAL_COLUMNS} FROM withdrawals WHERE receipt_id = ?", (receipt_id,)
        ).fetchone()
        return None if row is None else WithdrawalRow(*row)

    def insert_withdrawal(self, withdrawal: WithdrawalRow) -> None:
        self._db.execute(
            f"INSERT INTO withdrawals ({_WITHDRAWAL_COLUMNS}) VALUES (?, ?, ?)",
            (withdrawal.receipt_id, withdrawal.withdrawn_at, withdrawal.reason),
        )

    def consent_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM consents").fetchone()[0])

    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        row = self._db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return bytes(row[0])
        value = make()
        self._db.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (name, value))
        return value

    def wrong_codes_since(self, client_key: str, since: float) -> tuple[int, float | None]:
        row = self._db.execute(
            "SELECT count(*), min(failed_at) FROM wrong_codes WHERE client_key = ? AND failed_at > ?",
            (client_key, since),
        ).fetchone()
        return (0, None) if row is None else (int(row[0]), row[1])

    def add_wrong_code(self, client_key: str, at: float, *, forget_before: float) -> None:
        self._db.execute("DELETE FROM wrong_codes WHERE failed_at <= ?", (forget_before,))
        self._db.execute("INSERT INTO wrong_codes (client_key, failed_at) VALUES (?, ?)", (client_key, at))

    def wrong_code_clients_since(self, since: float) -> int:
        row = self._db.execute("SELECT count(DISTINCT client_key) FROM wrong_codes WHERE failed_at > ?", (since,)).fetchone()
        return 0 if row is None else int(row[0])

    def remove_before(self, cutoff: str) -> tuple[int, int]:
        consents = self._db.execute(
            "DELETE FROM consents WHERE received_at < ? "
            "OR session_code IN (SELECT code FROM sessions WHERE expires_at < ?) RETURNING session_code",
            (cutoff, cutoff),
        ).fetchall()
        sessions = self._db.execute("DELETE FROM sessions WHERE expires_at < ?", (cutoff,)).rowcount
        # A session still running when its consent aged out (a retention shorter than a session).
        for (code,) in consents:
            sessions += self._db.execute("DELETE FROM sessions WHERE code = ?", (code,)).rowcount
        return sessions, len(consents)


    def switch_provider(self, switch: ProviderSwitchRow, technician_url: str | None) -> None:
        self._db.execute(
            "UPDATE sessions SET provider = ?, join_url = ?, provider_session_id = ?, technician_url = ? WHERE code = ?",
            (switch.to_provider, switch.join_url, switch.provider_session_id, technician_url, switch.session_code),
        )
        self._db.execute(
            f"INSERT INTO provider_switches ({_SWITCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                switch.session_code, switch.switched_at, switch.technician, switch.from_provider,
                switch.to_provider, switch.provider_session_id, switch.join_url, int(switch.after_consent),
            ),
        )

    def provider_switches(self, code: str) -> list[ProviderSwitchRow]:
        rows = self._db.execute(
            f"SELECT {_SWITCH_COLUMNS} FROM provider_switches WHERE session_code = ? ORDER BY id", (code,)
        ).fetchall()
        return [
            ProviderSwitchRow(
                session_code=row[0], switched_at=row[1], technician=row[2], from_provider=row[3],
                to_provider=row[4], provider_session_id=row[5], join_url=row[6], after_consent=bool(row[7]),
            )
            for row in rows
        ]

    def session_report(self, code: str, provider_session_id: str) -> SessionReportRow | None:
        row = self._db.execute(
            f"SELECT {_REPORT_COLUMNS} FROM session_reports WHERE session_code = ? AND provider_session_id = ?",
            (code, provider_session_id),
        ).fetchone()
        return None if row is None else SessionReportRow(*row)

    def put_session_report(self, report: SessionReportRow) -> None:
        self._db.execute(
            f"INSERT OR REPLACE INTO session_reports ({_REPORT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                AND (r.session_code IS NULL OR (r.state = 'pending' AND r.next_check_at <= ?))
            ORDER BY s.created_at LIMIT ?
            """,
            (now, limit),
        ).fetchall()
        return [row[0] for row in rows]
    def record_lockout(self, network: str, until: str) -> None:
        self._db.execute(
            "INSERT INTO lockouts (network, until) VALUES (?, ?) "
            "ON CONFLICT (network) DO UPDATE SET until = max(until, excluded.until)",
            (network, until),
        )

    def lockouts(self, now: str) -> list[tuple[str, str]]:
        self._db.execute("DELETE FROM lockouts WHERE until <= ?", (now,))
        return [(row[0], row[1]) for row in self._db.execute("SELECT network, until FROM lockouts")]


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
