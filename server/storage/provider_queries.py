"""The queries of provider switches and session reports (issue 13), written once for both
engines (server.storage.queries)."""

from __future__ import annotations

from server.storage.consent_queries import marks
from server.storage.interface import ProviderSwitchRow, SessionReportRow
from server.storage.queries import Queries

_SWITCH_COLUMNS = (
    "session_code, switched_at, technician, from_provider, to_provider, provider_session_id, join_url, after_consent"
)
_REPORT_KEY = ("session_code", "provider_session_id")
_REPORT_COLUMNS = (
    "session_code, provider, provider_session_id, state, attempts, next_check_at, started_at, ended_at, "
    "duration_seconds, flag, detail, updated_at"
)
_REPORT_UPDATES = ", ".join(
    f"{column} = excluded.{column}" for column in _REPORT_COLUMNS.split(", ") if column not in _REPORT_KEY
)


class ProviderQueries(Queries):
    def switch_provider(self, switch: ProviderSwitchRow, technician_url: str | None) -> None:
        self._run(
            "UPDATE sessions SET provider = ?, join_url = ?, provider_session_id = ?, technician_url = ? WHERE code = ?",
            (switch.to_provider, switch.join_url, switch.provider_session_id, technician_url, switch.session_code),
        )
        self._run(
            f"INSERT INTO provider_switches ({_SWITCH_COLUMNS}) VALUES ({marks(_SWITCH_COLUMNS)})",
            (
                switch.session_code, switch.switched_at, switch.technician, switch.from_provider,
                switch.to_provider, switch.provider_session_id, switch.join_url, int(switch.after_consent),
            ),
        )

    def provider_switches(self, code: str) -> list[ProviderSwitchRow]:
        rows = self._run(
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
        row = self._run(
            f"SELECT {_REPORT_COLUMNS} FROM session_reports WHERE session_code = ? AND provider_session_id = ?",
            (code, provider_session_id),
        ).fetchone()
        return None if row is None else SessionReportRow(*row)

    def put_session_report(self, report: SessionReportRow) -> None:
        self._run(
            f"INSERT INTO session_reports ({_REPORT_COLUMNS}) VALUES ({marks(_REPORT_COLUMNS)}) "
            f"ON CONFLICT ({', '.join(_REPORT_KEY)}) DO UPDATE SET {_REPORT_UPDATES}",
            (
                report.session_code, report.provider, report.provider_session_id, report.state,
                report.attempts, report.next_check_at, report.started_at, report.ended_at,
                report.duration_seconds, report.flag, report.detail, report.updated_at,
            ),
        )

    def sessions_awaiting_report(self, now: str, limit: int) -> list[str]:
        rows = self._run(
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
