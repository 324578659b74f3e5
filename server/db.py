"""SQLite storage for support sessions and the consents recorded for them.

One connection, guarded by a lock, serves every thread of the web server: SQLite serialises
writers anyway, and a single connection keeps WAL readers and the writer from tripping over each
other's locks inside one process. ``busy_timeout`` covers the other writer that can exist, the
``create-session`` command running in a second process against the same file.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from server.codes import new_reference, new_session_code

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000
# A handful of tries is plenty: 900 million session codes, 887 million references.
_MAX_CODE_TRIES = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 9),
    technician  TEXT NOT NULL,
    ticket      TEXT,
    join_url    TEXT NOT NULL,
    provider    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'consented', 'cancelled'))
);
CREATE TABLE IF NOT EXISTS consents (
    session_code TEXT PRIMARY KEY REFERENCES sessions (code),
    receipt_id   TEXT NOT NULL UNIQUE,
    reference    TEXT NOT NULL UNIQUE,
    record_json  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    answer_json  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);
"""
# Keys the session's verification words (app.core.verification_words). Kept with the sessions so
# the server, a restart of it and the offline create-session command all show the same words.
WORDS_SECRET = "verification_words"
_SECRET_BYTES = 32


T = TypeVar("T")
R = TypeVar("R")


class StoreError(Exception):
    """The database cannot be used; the message names the file and the reason in one line."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """The one time format the server writes: whole seconds, UTC, with a ``Z``."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class SessionRow:
    code: str
    technician: str
    ticket: str | None
    join_url: str
    provider: str
    created_at: str
    expires_at: str
    status: str

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utc_now()) >= parse_iso_utc(self.expires_at)


@dataclass(frozen=True)
class ConsentRow:
    session_code: str
    receipt_id: str
    reference: str
    record_json: str
    received_at: str
    answer_json: str


_SESSION_COLUMNS = "code, technician, ticket, join_url, provider, created_at, expires_at, status"
_CONSENT_COLUMNS = "session_code, receipt_id, reference, record_json, received_at, answer_json"


class Transaction:
    """Queries that run inside one locked transaction of a :class:`ConsentStore`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

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

    def insert_session(self, session: SessionRow) -> None:
        self._db.execute(
            f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.code, session.technician, session.ticket, session.join_url,
                session.provider, session.created_at, session.expires_at, session.status,
            ),
        )

    def unused_session_code(self) -> str:
        for _ in range(_MAX_CODE_TRIES):
            code = new_session_code()
            if self._db.execute("SELECT 1 FROM sessions WHERE code = ?", (code,)).fetchone() is None:
                return code
        raise StoreError("Could not find an unused session code; the sessions table is nearly full.")

    def unused_reference(self) -> str:
        for _ in range(_MAX_CODE_TRIES):
            reference = new_reference()
            if self._db.execute("SELECT 1 FROM consents WHERE reference = ?", (reference,)).fetchone() is None:
                return reference
        raise StoreError("Could not find an unused reference code.")

    def insert_consent(self, consent: ConsentRow) -> None:
        self._db.execute(
            f"INSERT INTO consents ({_CONSENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                consent.session_code, consent.receipt_id, consent.reference,
                consent.record_json, consent.received_at, consent.answer_json,
            ),
        )

    def consent_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM consents").fetchone()[0]

    def set_status(self, code: str, status: str) -> None:
        self._db.execute("UPDATE sessions SET status = ? WHERE code = ?", (status, code))

    def secret(self, name: str) -> bytes:
        """The named secret, made on first use from the system's random source."""
        row = self._db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return bytes(row[0])
        value = secrets.token_bytes(_SECRET_BYTES)
        self._db.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (name, value))
        return value


class ConsentStore:
    """The server's database file. Safe to share between threads; close it when done."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._words_secret: bytes | None = None
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
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"Cannot use {self.path} as the consent database: {exc}.") from None

    def _prepare(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise sqlite3.OperationalError(f"the file system does not support WAL mode (got {mode})")
        # FULL: a 201 tells the customer their consent is on record, so it must survive a power cut.
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"it was made by a newer server (schema {version}, this server knows {SCHEMA_VERSION})"
            )
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Hold the write lock for a read-then-write; any exception rolls everything back."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full, I/O error) must not leave the transaction open, or
                # every later BEGIN on this connection would fail too.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def write_each(self, items: Sequence[T], write: Callable[[Transaction, T], R]) -> list[R | Exception]:
        """``write(tx, item)`` for every item in ONE transaction, so one fsync covers them all.

        Each item runs in its own savepoint: one that raises is undone alone and its exception
        takes its place in the answer, while the others are committed. Later items see what
        earlier ones wrote. If the commit itself fails, nothing is kept and this raises.
        """
        outcomes: list[R | Exception] = []
        with self.transaction() as tx:
            for item in items:
                self._db.execute("SAVEPOINT item")
                try:
                    outcomes.append(write(tx, item))
                except Exception as exc:
                    self._db.execute("ROLLBACK TO item")
                    outcomes.append(exc)
                self._db.execute("RELEASE item")
        return outcomes

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        with self._lock:
            yield Transaction(self._db)

    def create_session(
        self,
        *,
        technician: str,
        ticket: str | None,
        join_url: str | Callable[[str], str],
        provider: str,
        expires_in_minutes: int,
        now: datetime | None = None,
    ) -> SessionRow:
        """Open a session under a fresh code.

        ``join_url`` may be a function of the new code, for links that point back at the session
        itself (the demo join page), so the row is never written with a placeholder.
        """
        created = now or utc_now()
        with self.transaction() as tx:
            code = tx.unused_session_code()
            session = SessionRow(
                code=code,
                technician=technician,
                ticket=ticket,
                join_url=join_url(code) if callable(join_url) else join_url,
                provider=provider,
                created_at=iso_utc(created),
                expires_at=iso_utc(created + timedelta(minutes=expires_in_minutes)),
                status="open",
            )
            tx.insert_session(session)
        return session

    def session(self, code: str) -> SessionRow | None:
        with self.reading() as tx:
            return tx.session(code)

    def consent_for_session(self, code: str) -> ConsentRow | None:
        with self.reading() as tx:
            return tx.consent_for_session(code)

    def cancel_session(self, code: str) -> bool:
        """Cancel a session that has no consent yet; False if there is no such open session."""
        with self.transaction() as tx:
            session = tx.session(code)
            if session is None or session.status != "open":
                return False
            tx.set_status(code, "cancelled")
        return True

    def consent_count(self) -> int:
        with self.reading() as tx:
            return tx.consent_count()

    def words_secret(self) -> bytes:
        """The key of every session's verification words; read once, then kept in memory."""
        if self._words_secret is None:
            with self.transaction() as tx:
                self._words_secret = tx.secret(WORDS_SECRET)
        return self._words_secret

    def close(self) -> None:
        with self._lock:
            self._db.close()
