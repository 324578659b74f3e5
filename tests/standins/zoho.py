"""A stand-in for Zoho's accounts server and the Zoho Assist API v2 on loopback.

It answers the documented shapes (see server/providers/zoho.py for the pages): the self client's
token exchange (access tokens that expire, at most ten per ten minutes), ``POST /api/v2/session``,
``POST /api/v2/session/schedule`` (with its ``statue`` key), ``GET /api/v2/user`` and the paged
``GET /api/v2/reports``. The links it hands out are the real hosts' (``https://assist.zoho.com/...``)
because the launcher's allow-list must take them as they are; nothing ever opens them.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from tests.standins.base import Answer, Request, StandIn

ASSIST_HOST = "https://assist.zoho.com"


class StandInZoho(StandIn):
    def __init__(self, *, token_lifetime: int = 3600, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        # Token lifetimes and Zoho's ten-in-ten-minutes window run on this clock.
        self.clock = clock
        self.accounts_url = self.base_url
        self.api_url = self.base_url + "/api/v2"
        self.client_id = "1000." + secrets.token_hex(15).upper()
        self.client_secret = secrets.token_hex(21)
        self.refresh_token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.token_lifetime = token_lifetime
        self.department_id = "7" + "".join(secrets.choice("0123456789") for _ in range(17))
        self.org_id = "815262805"
        self._tokens: dict[str, float] = {}
        self._issued: deque[float] = deque()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}
        self.reports: list[dict[str, Any]] = []

    def environ(self, **overrides: str) -> dict[str, str]:
        """The settings a deployment would set, pointing at this stand-in."""
        return {
            "PHONETEX_ZOHO_ACCOUNTS_URL": self.accounts_url,
            "PHONETEX_ZOHO_API_URL": self.api_url,
            "PHONETEX_ZOHO_CLIENT_ID": self.client_id,
            "PHONETEX_ZOHO_CLIENT_SECRET": self.client_secret,
            "PHONETEX_ZOHO_REFRESH_TOKEN": self.refresh_token,
            **overrides,
        }

    # --- what a test does to Zoho -------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working, as after its hour."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    def session_held(self, session_id: str, start: datetime, end: datetime, **extra: Any) -> None:
        """The technician and customer really had ``session_id`` from ``start`` to ``end``."""
        row = {
            "viewer_os": "Windows",
            "viewer_email": "sam.carter@phonetex.example",
            "agent_os": "Windows",
            "agent_email": "customer@example.com",
            "start_time": int(start.timestamp() * 1000),
            "end_time": int(end.timestamp() * 1000),
            "duration": str(int((end - start).total_seconds() * 1000)),
            "display_name": "Customer",
            "session_id": int(session_id),
            "session_type": "rs",
            "session_owner_email": "sam.carter@phonetex.example",
            **extra,
        }
        with self._lock:
            self.reports.append(row)

    @property
    def tokens_issued(self) -> int:
        return len(self.calls("/oauth/v2/token"))

    # --- what Zoho answers --------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        if request.path == "/oauth/v2/token" and request.method == "POST":
            return self._token(request)
        if not request.path.startswith("/api/v2/"):
            return Answer(404, {"error": {"code": 404, "message": "not found"}})
        token = request.headers.get("authorization", "").removeprefix("Zoho-oauthtoken ")
        if self._tokens.get(token, 0.0) <= self.clock():
            return Answer(401, {"error": {"code": "INVALID_OAUTHTOKEN", "message": "Invalid OAuth token"}})
        route = (request.method, request.path.removeprefix("/api/v2"))
        handler = {
            ("POST", "/session"): self._session,
            ("POST", "/session/schedule"): self._schedule,
            ("GET", "/user"): self._user,
            ("GET", "/reports"): self._reports,
        }.get(route)
        if handler is None:
            return Answer(404, {"error": {"code": 404, "message": "not found"}})
        return handler(request)

    def _token(self, request: Request) -> Answer:
        query = request.query
        if query.get("grant_type") != "refresh_token":
            return Answer(200, {"error": "unsupported_grant_type"})
        if (query.get("client_id"), query.get("client_secret")) != (self.client_id, self.client_secret):
            return Answer(200, {"error": "invalid_client"})
        if query.get("refresh_token") != self.refresh_token:
            return Answer(200, {"error": "invalid_code"})
        now = self.clock()
        while self._issued and now - self._issued[0] >= 600:
            self._issued.popleft()
        if len(self._issued) >= 10:
            return Answer(
                400,
                {
                    "error_description": "You have made too many requests continuously. Please try again after some time.",
                    "error": "Access Denied",
                    "status": "failure",
                },
            )
        self._issued.append(now)
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self._tokens[token] = now + self.token_lifetime
        return Answer(
            200,
            {
                "access_token": token,
                "api_domain": "https://www.zohoapis.com",
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
            },
        )

    def _session(self, request: Request) -> Answer:
        if request.query.get("type", "rs") != "rs":
            return Answer(400, {"error": {"code": 1001, "message": "Invalid session type"}})
        key = str(secrets.randbelow(900_000_000) + 100_000_000)
        email = request.query.get("customer_email")
        customer_url = f"{ASSIST_HOST}/join?role=A&key={key}"
        if email:
            customer_url += "&email=" + quote(email, safe="")
        rep = {
            "customer_url": customer_url,
            "technician_url": f"{ASSIST_HOST}/assist-start?key={key}&viewer=html",
            "session_id": key,
            "authkey": secrets.token_hex(8),
            "authtype": "key",
        }
        self.sessions[key] = {**rep, "customer_email": email}
        return Answer(200, {"representation": rep, "resource_type": "session"})

    def _schedule(self, request: Request) -> Answer:
        body = request.body if isinstance(request.body, dict) else {}
        required = ("mode", "title", "customer_email", "schedule_time", "utc_offset", "time_zone", "department_id")
        missing = [k for k in required if k not in body]
        if missing or body.get("mode") != "SCHEDULE" or str(body.get("department_id")) != self.department_id:
            return Answer(400, {"error": {"code": 1002, "message": f"Invalid input {missing or 'department_id'}"}})
        schedule_id = "10240000" + "".join(secrets.choice("0123456789") for _ in range(8))
        link = f"{ASSIST_HOST}/assist-schedule?" + urlencode(
            {
                "digest": secrets.token_hex(16),
                "og": secrets.token_urlsafe(12).replace("=", ""),
                "role": "A",
                "schedule_id": schedule_id,
                "x-com-zoho-assist-orgid": self.org_id,
            }
        )
        self.schedules[schedule_id] = {**body, "customer_url": link}
        return Answer(
            200, {"representation": {"statue": "ok", "schedule_id": schedule_id, "customer_url": link}, "resource_type": "session"}
        )

    def _user(self, request: Request) -> Answer:
        # The documented answer (getuserinfo.html) is abridged there; the department list is the
        # shape this stand-in assumes, the client reads it defensively.
        return Answer(
            200,
            {
                "resource_type": "user",
                "representation": {
                    "zuid": "74000001",
                    "user_role": 2,
                    "org_details": {"zsoid": int(self.org_id), "org_name": "Phonetex"},
                    "departments": [{"department_id": self.department_id, "department_name": "Support"}],
                },
            },
        )

    def _reports(self, request: Request) -> Answer:
        q = request.query
        try:
            start, end = int(q["fromdate"]), int(q["todate"])
            index, count = int(q.get("index") or 1), int(q.get("count") or 20)
        except (KeyError, ValueError):
            return Answer(400, {"error": {"code": 1003, "message": "fromdate and todate are required"}})
        if q.get("type") not in ("rs", "URS", "all"):
            return Answer(400, {"error": {"code": 1003, "message": "Invalid type"}})
        rows = [r for r in self.reports if start <= r["start_time"] <= end]
        page = rows[index - 1 : index - 1 + count]
        body: dict[str, Any] = {"total_count": len(rows), "resource_type": "report", "representation": page}
        if index - 1 + count < len(rows):
            nxt = {**q, "index": str(index + count)}
            body["page"] = {"next": f"{self.api_url}/reports?{urlencode(nxt)}"}
        return Answer(200, body)
