"""A stand-in for TeamViewer's Web API v1 on loopback: ``POST /api/v1/sessions`` (a service case
with its customer and supporter links) and the paged ``GET /api/v1/reports/connections``, behind a
script token (see server/providers/teamviewer.py for the documented shapes)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.standins.base import Answer, Request, StandIn


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StandInTeamViewer(StandIn):
    def __init__(self, *, page_size: int = 1000) -> None:
        super().__init__()
        self.api_url = self.base_url + "/api/v1"
        self.token = f"{secrets.randbelow(10**8)}-{secrets.token_urlsafe(15)}"
        self.group = "Phonetex support"
        self.page_size = page_size
        self.sessions: dict[str, dict[str, Any]] = {}
        self.connections: list[dict[str, Any]] = []

    def environ(self, **overrides: str) -> dict[str, str]:
        return {
            "PHONETEX_TEAMVIEWER_API_URL": self.api_url,
            "PHONETEX_TEAMVIEWER_TOKEN": self.token,
            "PHONETEX_TEAMVIEWER_GROUP": self.group,
            **overrides,
        }

    def session_held(self, code: str, start: datetime, end: datetime) -> None:
        with self._lock:
            self.connections.append(
                {
                    "id": str(uuid.uuid4()),
                    "userid": "u1234567",
                    "username": "Sam Carter",
                    "devicename": "CUSTOMER-PC",
                    "groupname": self.group,
                    "session_code": code,
                    "support_session_type": 2,
                    "start_date": _iso(start),
                    "end_date": _iso(end),
                    "duration": int((end - start).total_seconds()),
                }
            )

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, {"error": "invalid_token", "error_description": "The access token is invalid.", "error_code": 1})
        if (request.method, request.path) == ("POST", "/api/v1/sessions"):
            return self._create(request)
        if (request.method, request.path) == ("GET", "/api/v1/reports/connections"):
            return self._connections(request)
        return Answer(404, {"error": "not_found", "error_description": "No such resource."})

    def _create(self, request: Request) -> Answer:
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("groupname") != self.group and "groupid" not in body:
            return Answer(404, {"error": "not_found", "error_description": "Group not found.", "error_code": 4})
        digits = "".join(secrets.choice("0123456789") for _ in range(8))
        code = f"s{digits[:2]}-{digits[2:5]}-{digits[5:]}"
        link = f"https://get.teamviewer.com/s{digits}"
        session = {
            "code": code,
            "state": "Open",
            "groupid": "g12345678",
            "description": body.get("description", ""),
            "end_customer": body.get("end_customer", {}),
            "end_customer_link": link,
            "supporter_link": f"{link}-{secrets.token_urlsafe(9)}",
            "created_at": _iso(datetime.now(UTC)),
            "valid_until": _iso(datetime.now(UTC) + timedelta(hours=24)),
        }
        self.sessions[code] = session
        return Answer(200, session)

    def _connections(self, request: Request) -> Answer:
        q = request.query
        try:
            start = datetime.fromisoformat(q["from_date"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(q["to_date"].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            return Answer(400, {"error": "invalid_request", "error_description": "from_date and to_date are required."})
        rows = [
            r for r in self.connections
            if start <= datetime.fromisoformat(r["start_date"].replace("Z", "+00:00")) <= end
        ]
        offset = q.get("offset_id")
        first = next((i for i, r in enumerate(rows) if r["id"] == offset), 0) if offset else 0
        page = rows[first : first + self.page_size]
        rest = rows[first + self.page_size :]
        body: dict[str, Any] = {"records": page, "records_remaining": len(rest)}
        if rest:
            body["next_offset"] = rest[0]["id"]
        return Answer(200, body)
