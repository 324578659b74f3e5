"""TeamViewer's Web API, the fallback the terms name: a service case (session) the customer joins
with TeamViewer QuickSupport, and the connection report of when it really ran.

Documented shapes this follows (TeamViewer Web API v1, https://webapi.teamviewer.com/api/v1/docs/index;
https://www.teamviewer.com/en-us/global/support/knowledge-base/teamviewer-classic/integrations/core-integrations/teamviewer-api/):
- ``Authorization: Bearer <script token>`` (Management Console → profile → Apps → script token, with
  the session management and connection reporting permissions).
- ``POST /api/v1/sessions`` with ``groupname`` (or ``groupid``), ``description`` and ``end_customer``
  ``{name, email}`` answers ``code`` (``s06-301-144``), ``end_customer_link``
  (``https://get.teamviewer.com/s06301144``), ``supporter_link`` (the same plus ``-<secret>``: a
  credential) and ``valid_until``.
- ``GET /api/v1/reports/connections?from_date=…&to_date=…[&offset_id=…]`` answers ``records`` (each
  with ``session_code``, ``start_date``, ``end_date`` and ``duration`` in seconds),
  ``records_remaining`` and ``next_offset``: at most 1 000 records per answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from app.core.utc_time import iso_utc
from server.providers.errors import ProviderAnswerError, ProviderAuthError, ProviderError
from server.providers.http import TIMEOUT, RetryPolicy, json_object, send, short
from server.providers.model import ProviderSession, SessionReport
from server.providers.settings import ENV_TEAMVIEWER_GROUP, ENV_TEAMVIEWER_TOKEN, TeamViewerSettings

PROVIDER = "teamviewer"
NAME = "TeamViewer"
MAX_REPORT_PAGES = 20


class TeamViewer:
    def __init__(
        self,
        settings: TeamViewerSettings,
        *,
        retry: RetryPolicy | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self._retry = retry or RetryPolicy()
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def create_session(
        self, *, description: str, customer_name: str | None = None, customer_email: str | None = None
    ) -> ProviderSession:
        body: dict[str, Any] = {"groupname": self.settings.group, "description": description[:200]}
        customer = {k: v for k, v in (("name", customer_name), ("email", customer_email)) if v}
        if customer:
            body["end_customer"] = customer
        data = await self._call("POST", "/sessions", what="create a session", json=body)
        code = data.get("code")
        link = data.get("end_customer_link")
        supporter = data.get("supporter_link")
        if not (isinstance(code, str) and isinstance(link, str) and isinstance(supporter, str) and code and link and supporter):
            raise ProviderAnswerError(
                "TeamViewer's answer to the request to create a session lacks its code or links."
            )
        return ProviderSession(PROVIDER, code, link, supporter, valid_until=_when(data.get("valid_until")))

    async def session_report(self, code: str, since: datetime, until: datetime) -> SessionReport | None:
        params: dict[str, Any] = {"from_date": _iso(since), "to_date": _iso(until)}
        for _ in range(MAX_REPORT_PAGES):
            data = await self._call("GET", "/reports/connections", what="read the connection reports", params=params)
            records = data.get("records")
            if not isinstance(records, list):
                raise ProviderAnswerError("TeamViewer's connection reports came without a list of records.")
            for record in records:
                if isinstance(record, dict) and record.get("session_code") == code:
                    return _report(record, code)
            remaining = data.get("records_remaining")
            offset = data.get("next_offset")
            if not remaining or not isinstance(offset, str) or not offset:
                return None
            params = {**params, "offset_id": offset}
        raise ProviderAnswerError(f"TeamViewer's connection reports ran past {MAX_REPORT_PAGES} pages without {code}.")

    async def _call(self, method: str, path: str, *, what: str, **kwargs: Any) -> dict[str, Any]:
        url = self.settings.api_url + path
        headers = {"Authorization": f"Bearer {self.settings.token}"}
        response = await send(
            self._client,
            lambda: self._client.build_request(method, url, headers=headers, **kwargs),
            provider=NAME,
            what=what,
            retry=self._retry,
        )
        if response.status_code in (401, 403):
            raise ProviderAuthError(
                f"TeamViewer refused to {what} (HTTP {response.status_code}): make a script token with the "
                f"session management and connection reporting permissions and put it in {ENV_TEAMVIEWER_TOKEN}."
            )
        if response.status_code == 404 and path == "/sessions":
            raise ProviderError(
                f"TeamViewer does not know the group {self.settings.group!r}: create it or set {ENV_TEAMVIEWER_GROUP}."
            )
        if response.status_code >= 400:
            raise ProviderError(f"TeamViewer refused to {what} (HTTP {response.status_code}: {_message(response)}).")
        return json_object(response, provider=NAME, what=what)


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return short(response.text or "no details", 160)
    if isinstance(data, dict):
        return short(data.get("error_description") or data.get("error") or data, 160)
    return short(data, 160)


def _iso(when: datetime) -> str:
    return iso_utc(when)  # the tree's one UTC formatter: whole seconds, Z


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _report(record: dict[str, Any], code: str) -> SessionReport:
    started = _when(record.get("start_date"))
    if started is None:
        raise ProviderAnswerError(f"TeamViewer's report of {code} has no start date.")
    ended = _when(record.get("end_date"))
    duration = record.get("duration")
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        seconds: float | None = float(duration)
    else:
        seconds = (ended - started).total_seconds() if ended else None
    return SessionReport(code, started, ended, seconds)
