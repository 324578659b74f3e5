"""The queries of the wrong-code limit: the wrong codes every process counts (migration 0004)
and the lock-outs (0007), written once for both engines (server.storage.queries)."""

from __future__ import annotations

from server.storage.queries import Queries


class LimitQueries(Queries):
    def wrong_codes_since(self, client_key: str, since: float) -> tuple[int, float | None]:
        row = self._run(
            "SELECT count(*), min(failed_at) FROM wrong_codes WHERE client_key = ? AND failed_at > ?",
            (client_key, since),
        ).fetchone()
        return (0, None) if row is None else (int(row[0]), row[1])

    def add_wrong_code(self, client_key: str, at: float, *, forget_before: float) -> None:
        self._run("DELETE FROM wrong_codes WHERE failed_at <= ?", (forget_before,))
        self._run("INSERT INTO wrong_codes (client_key, failed_at) VALUES (?, ?)", (client_key, at))

    def wrong_code_clients_since(self, since: float) -> int:
        row = self._run("SELECT count(DISTINCT client_key) FROM wrong_codes WHERE failed_at > ?", (since,)).fetchone()
        return 0 if row is None else int(row[0])

    def record_lockout(self, network: str, until: str) -> None:
        # A later end wins; an earlier one leaves the row alone (ISO UTC text sorts as time).
        self._run(
            "INSERT INTO lockouts (network, until) VALUES (?, ?) "
            "ON CONFLICT (network) DO UPDATE SET until = excluded.until WHERE excluded.until > lockouts.until",
            (network, until),
        )

    def lockouts(self, now: str) -> list[tuple[str, str]]:
        if self._may_write():
            self._run("DELETE FROM lockouts WHERE until <= ?", (now,))
        rows = self._run("SELECT network, until FROM lockouts WHERE until > ?", (now,)).fetchall()
        return [(row[0], row[1]) for row in rows]
