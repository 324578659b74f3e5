"""The technician console's queries (server.domain.technicians, console_sessions, step_events),
written once for both engines (server.storage.queries); booleans as Python bools (SQLite stores 0/1, PostgreSQL BOOLEAN); the order of a
session's steps from ``step_events.seq`` (an identity column on PostgreSQL, ``STEP_SEQ`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.storage.consent_queries import SESSION_COLUMNS
from server.storage.interface import (
    ApiTokenRow,
    LoginRow,
    PasswordLinkRow,
    SessionOwnerRow,
    SessionRow,
    StepEventRow,
    TechnicianRow,
)
from server.storage.queries import Queries

_SESSION_WIDTH = len(SESSION_COLUMNS.split(", "))
_TECHNICIAN_COLUMNS = "id, email, name, is_admin, disabled, password_hash, created_at"
_TOKEN_COLUMNS = "id, technician_id, label, token_digest, tail, created_at, revoked_at"
_STEP_COLUMNS = "event_id, session_code, step, details_json, received_at"
# SQLite's limit on bound parameters, kept for both.
_CHUNK = 500


def _technician(row: Sequence[Any]) -> TechnicianRow:
    return TechnicianRow(row[0], row[1], row[2], bool(row[3]), bool(row[4]), row[5], row[6])


class ConsoleQueries(Queries):
    """Mixed into an engine's Transaction (server.storage.queries)."""

    # SQL giving a new step's ``seq``, or "" where the column fills itself in.
    STEP_SEQ = ""


    def technician(self, technician_id: str) -> TechnicianRow | None:
        row = self._run(f"SELECT {_TECHNICIAN_COLUMNS} FROM technicians WHERE id = ?", (technician_id,)).fetchone()
        return None if row is None else _technician(row)

    def technician_by_email(self, email: str) -> TechnicianRow | None:
        row = self._run(f"SELECT {_TECHNICIAN_COLUMNS} FROM technicians WHERE email = ?", (email,)).fetchone()
        return None if row is None else _technician(row)

    def technicians(self) -> list[TechnicianRow]:
        rows = self._run(f"SELECT {_TECHNICIAN_COLUMNS} FROM technicians ORDER BY name, email").fetchall()
        return [_technician(row) for row in rows]

    def insert_technician(self, row: TechnicianRow) -> None:
        self._run(
            f"INSERT INTO technicians ({_TECHNICIAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.email, row.name, row.is_admin, row.disabled, row.password_hash, row.created_at),
        )

    def update_technician(self, row: TechnicianRow) -> None:
        self._run(
            "UPDATE technicians SET email = ?, name = ?, is_admin = ?, disabled = ?, password_hash = ? WHERE id = ?",
            (row.email, row.name, row.is_admin, row.disabled, row.password_hash, row.id),
        )

    def delete_technician(self, technician_id: str) -> None:
        self._run("DELETE FROM technicians WHERE id = ?", (technician_id,))

    def insert_password_link(self, row: PasswordLinkRow) -> None:
        self._run(
            "INSERT INTO password_links (token_digest, technician_id, expires_at) VALUES (?, ?, ?)",
            (row.token_digest, row.technician_id, row.expires_at),
        )

    def password_link(self, token_digest: str) -> PasswordLinkRow | None:
        row = self._run(
            "SELECT token_digest, technician_id, expires_at FROM password_links WHERE token_digest = ?", (token_digest,)
        ).fetchone()
        return None if row is None else PasswordLinkRow(*row)

    def delete_password_links(self, technician_id: str) -> None:
        self._run("DELETE FROM password_links WHERE technician_id = ?", (technician_id,))

    def insert_login(self, row: LoginRow) -> None:
        self._run(
            "INSERT INTO console_logins (id_digest, technician_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (row.id_digest, row.technician_id, row.created_at, row.expires_at),
        )

    def login(self, id_digest: str) -> LoginRow | None:
        row = self._run(
            "SELECT id_digest, technician_id, created_at, expires_at FROM console_logins WHERE id_digest = ?",
            (id_digest,),
        ).fetchone()
        return None if row is None else LoginRow(*row)

    def delete_login(self, id_digest: str) -> None:
        self._run("DELETE FROM console_logins WHERE id_digest = ?", (id_digest,))

    def delete_logins(self, technician_id: str) -> None:
        self._run("DELETE FROM console_logins WHERE technician_id = ?", (technician_id,))

    def insert_api_token(self, row: ApiTokenRow) -> None:
        self._run(
            f"INSERT INTO api_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.technician_id, row.label, row.token_digest, row.tail, row.created_at, row.revoked_at),
        )

    def api_token(self, token_digest: str) -> ApiTokenRow | None:
        row = self._run(f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE token_digest = ?", (token_digest,)).fetchone()
        return None if row is None else ApiTokenRow(*row)

    def api_tokens(self, technician_id: str) -> list[ApiTokenRow]:
        rows = self._run(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE technician_id = ? ORDER BY created_at DESC, id",
            (technician_id,),
        ).fetchall()
        return [ApiTokenRow(*row) for row in rows]

    def revoke_api_token(self, token_id: str, technician_id: str, when: str) -> bool:
        cursor = self._run(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND technician_id = ? AND revoked_at IS NULL",
            (when, token_id, technician_id),
        )
        return cursor.rowcount > 0

    def revoke_api_tokens(self, technician_id: str, when: str) -> None:
        self._run(
            "UPDATE api_tokens SET revoked_at = ? WHERE technician_id = ? AND revoked_at IS NULL", (when, technician_id)
        )

    def insert_session_owner(self, row: SessionOwnerRow) -> None:
        self._run(
            "INSERT INTO session_owners (code, technician_id, customer_name, customer_email) VALUES (?, ?, ?, ?)",
            (row.code, row.technician_id, row.customer_name, row.customer_email),
        )

    def session_owner(self, code: str) -> SessionOwnerRow | None:
        row = self._run(
            "SELECT code, technician_id, customer_name, customer_email FROM session_owners WHERE code = ?", (code,)
        ).fetchone()
        return None if row is None else SessionOwnerRow(*row)

    def recent_sessions(self, technician_id: str | None, limit: int) -> list[tuple[SessionRow, SessionOwnerRow | None]]:
        columns = ", ".join(f"s.{c}" for c in SESSION_COLUMNS.split(", "))
        query = (
            f"SELECT {columns}, o.code, o.technician_id, o.customer_name, o.customer_email "
            "FROM sessions s LEFT JOIN session_owners o ON o.code = s.code"
        )
        if technician_id is None:
            rows = self._run(f"{query} ORDER BY s.created_at DESC, s.code DESC LIMIT ?", (limit,)).fetchall()
        else:
            rows = self._run(
                f"{query} WHERE o.technician_id = ? ORDER BY s.created_at DESC, s.code DESC LIMIT ?",
                (technician_id, limit),
            ).fetchall()
        return [
            (SessionRow(*row[:_SESSION_WIDTH]), None if row[_SESSION_WIDTH] is None else SessionOwnerRow(*row[_SESSION_WIDTH:]))
            for row in rows
        ]

    def step_names(self, codes: Sequence[str]) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for start in range(0, len(codes), _CHUNK):
            chunk = list(codes[start : start + _CHUNK])
            marks = ", ".join("?" * len(chunk))
            for code, step in self._run(
                f"SELECT DISTINCT session_code, step FROM step_events WHERE session_code IN ({marks})", chunk
            ):
                names.setdefault(code, set()).add(step)
        return names

    def insert_step_event(self, row: StepEventRow) -> None:
        self._run(
            f"INSERT INTO step_events ({_STEP_COLUMNS}{', seq' if self.STEP_SEQ else ''}) "
            f"VALUES (?, ?, ?, ?, ?{', ' + self.STEP_SEQ if self.STEP_SEQ else ''})",
            (row.event_id, row.session_code, row.step, row.details_json, row.received_at),
        )

    def step_event(self, event_id: str) -> StepEventRow | None:
        row = self._run(f"SELECT {_STEP_COLUMNS} FROM step_events WHERE event_id = ?", (event_id,)).fetchone()
        return None if row is None else StepEventRow(*row)

    def step_events(self, code: str) -> list[StepEventRow]:
        rows = self._run(
            f"SELECT {_STEP_COLUMNS} FROM step_events WHERE session_code = ? ORDER BY seq", (code,)
        ).fetchall()
        return [StepEventRow(*row) for row in rows]

    def step_event_count(self, code: str) -> int:
        return int(self._run("SELECT count(*) FROM step_events WHERE session_code = ?", (code,)).fetchone()[0])

