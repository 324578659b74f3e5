"""The queries of sessions, consents, their withdrawals, the server's secrets and retention,
written once for both engines (server.storage.queries)."""

from __future__ import annotations

from collections.abc import Callable

from server.storage.interface import ConsentRow, SessionRow, WithdrawalRow
from server.storage.queries import Queries

SESSION_COLUMNS = (
    "code, technician, ticket, join_url, provider, created_at, expires_at, status, provider_session_id, technician_url"
)
_CONSENT_COLUMNS = "session_code, receipt_id, reference, record_json, received_at, answer_json"
_WITHDRAWAL_COLUMNS = "receipt_id, withdrawn_at, reason"


def marks(columns: str) -> str:
    """``?, ?, ?`` for each of ``columns`` (a comma-separated list)."""
    return ", ".join("?" * len(columns.split(", ")))


class ConsentQueries(Queries):
    def session(self, code: str) -> SessionRow | None:
        row = self._run(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE code = ?{self._row_lock()}", (code,)).fetchone()
        return None if row is None else SessionRow(*row)

    def consent_for_session(self, code: str) -> ConsentRow | None:
        row = self._run(f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE session_code = ?", (code,)).fetchone()
        return None if row is None else ConsentRow(*row)

    def consent_by_receipt(self, receipt_id: str) -> ConsentRow | None:
        self._wait_for_receipt(receipt_id)
        row = self._run(f"SELECT {_CONSENT_COLUMNS} FROM consents WHERE receipt_id = ?", (receipt_id,)).fetchone()
        return None if row is None else ConsentRow(*row)

    def reference_in_use(self, reference: str) -> bool:
        return self._run("SELECT 1 FROM consents WHERE reference = ?", (reference,)).fetchone() is not None

    def insert_session(self, session: SessionRow) -> None:
        self._run(
            f"INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ({marks(SESSION_COLUMNS)})",
            (
                session.code, session.technician, session.ticket, session.join_url,
                session.provider, session.created_at, session.expires_at, session.status,
                session.provider_session_id, session.technician_url,
            ),
        )

    def insert_consent(self, consent: ConsentRow) -> None:
        self._run(
            f"INSERT INTO consents ({_CONSENT_COLUMNS}) VALUES ({marks(_CONSENT_COLUMNS)})",
            (
                consent.session_code, consent.receipt_id, consent.reference,
                consent.record_json, consent.received_at, consent.answer_json,
            ),
        )

    def set_status(self, code: str, status: str) -> None:
        self._run("UPDATE sessions SET status = ? WHERE code = ?", (status, code))

    def withdrawal(self, receipt_id: str) -> WithdrawalRow | None:
        row = self._run(f"SELECT {_WITHDRAWAL_COLUMNS} FROM withdrawals WHERE receipt_id = ?", (receipt_id,)).fetchone()
        return None if row is None else WithdrawalRow(*row)

    def insert_withdrawal(self, withdrawal: WithdrawalRow) -> None:
        self._run(
            f"INSERT INTO withdrawals ({_WITHDRAWAL_COLUMNS}) VALUES ({marks(_WITHDRAWAL_COLUMNS)})",
            (withdrawal.receipt_id, withdrawal.withdrawn_at, withdrawal.reason),
        )

    def consent_count(self) -> int:
        return int(self._run("SELECT count(*) FROM consents").fetchone()[0])

    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        row = self._run("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        if row is None:
            # Several processes may make one at once: the first INSERT wins, all read the winner.
            self._run("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (name, make()))
            row = self._run("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        return bytes(row[0])

    def remove_before(self, cutoff: str) -> tuple[int, int]:
        consents = self._run(
            "DELETE FROM consents WHERE received_at < ? "
            "OR session_code IN (SELECT code FROM sessions WHERE expires_at < ?) RETURNING session_code",
            (cutoff, cutoff),
        ).fetchall()
        sessions = self._run("DELETE FROM sessions WHERE expires_at < ?", (cutoff,)).rowcount
        # A session still running when its consent aged out (a retention shorter than a session).
        for (code,) in consents:
            sessions += self._run("DELETE FROM sessions WHERE code = ?", (code,)).rowcount
        return sessions, len(consents)
