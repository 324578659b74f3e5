"""Zoho Assist's API v2, as the consent server uses it: a remote support session for a customer
(now or scheduled) and, afterwards, the report of when it really ran.

Documented shapes this follows (checked against Zoho's pages):
- OAuth self client: ``POST {accounts}/oauth/v2/token?refresh_token=…&client_id=…&client_secret=…
  &grant_type=refresh_token`` answers ``access_token`` and ``expires_in`` (3600 s); "your app can
  create up to ten access tokens in a span of ten minutes"
  (https://www.zoho.com/assist/api/refresh-access-token.html,
  https://zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html). Requests carry
  ``Authorization: Zoho-oauthtoken <token>`` (https://zoho.com/assist/api/httpmethods.html).
- ``POST /api/v2/session?customer_email=…&type=rs`` answers ``representation.customer_url``,
  ``technician_url`` and ``session_id`` (https://www.zoho.com/assist/api/session.html).
- ``POST /api/v2/session/schedule`` (JSON ``mode=SCHEDULE``, ``title``, ``customer_email``,
  ``schedule_time``, ``schedule_upto``, ``utc_offset``, ``time_zone``, ``reminder``,
  ``department_id``) answers ``representation`` with ``statue: "ok"`` (sic) and ``schedule_id``
  (https://www.zoho.com/assist/api/schedulesession.html); ``department_id`` comes from
  ``GET /api/v2/user`` (https://www.zoho.com/assist/api/getuserinfo.html).
- ``GET /api/v2/reports?type=rs&fromdate=<ms>&todate=<ms>&index=&count=`` lists sessions with
  ``session_id``, ``start_time``, ``end_time`` (ms) and ``duration`` (ms, as a string), paged with
  ``index``/``count`` and a ``page.next`` link (https://www.zoho.com/assist/api/getsessionreports.html,
  https://zoho.com/assist/api/pagination.html).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from server.providers.errors import ProviderAnswerError, ProviderAuthError, ProviderError, ProviderUnavailable
from server.providers.http import TIMEOUT, RetryPolicy, json_object, send, short
from server.providers.model import ProviderSession, SessionReport
from server.providers.settings import ENV_ZOHO_DC, ENV_ZOHO_DEPARTMENT_ID, ZOHO_SCOPES, ZohoSettings

PROVIDER = "zoho-assist"
NAME = "Zoho Assist"
# Zoho: at most ten access tokens per refresh token in ten minutes.
TOKEN_LIMIT = 10
TOKEN_WINDOW = 600.0
# A token is renewed this long before Zoho's expiry, so none expires in flight.
TOKEN_MARGIN = 60.0
REPORT_PAGE = 50
MAX_REPORT_PAGES = 40


class ZohoTokens:
    """The access token of the self client, cached until it expires (or Zoho refuses it), and
    never more than ten new ones in ten minutes."""

    def __init__(
        self,
        settings: ZohoSettings,
        client: httpx.AsyncClient,
        retry: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._client = client
        self._retry = retry
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._issued: deque[float] = deque()
        self._lock = asyncio.Lock()

    @property
    def issued_in_window(self) -> int:
        self._forget_old()
        return len(self._issued)

    async def current(self) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                await self._refresh()
            assert self._token is not None
            return self._token

    async def after_refusal(self, refused: str) -> str:
        """A new token after Zoho answered 401 to ``refused``, unless another request already
        replaced it (then that one is used: one refresh however many requests saw the 401)."""
        async with self._lock:
            if self._token == refused or self._token is None:
                await self._refresh()
            assert self._token is not None
            return self._token

    def _forget_old(self) -> None:
        now = self._clock()
        while self._issued and now - self._issued[0] >= TOKEN_WINDOW:
            self._issued.popleft()

    async def _refresh(self) -> None:
        self._forget_old()
        if len(self._issued) >= TOKEN_LIMIT:
            wait = TOKEN_WINDOW - (self._clock() - self._issued[0])
            raise ProviderUnavailable(
                f"Zoho allows {TOKEN_LIMIT} access tokens in 10 minutes and this server has used them; "
                f"Zoho Assist can be used again in {max(1, round(wait / 60))} minute(s). Meanwhile, switch the "
                "session to TeamViewer if the customer cannot wait."
            )
        settings = self._settings
        url = f"{settings.accounts_url}/oauth/v2/token"
        params = {
            "refresh_token": settings.refresh_token,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "grant_type": "refresh_token",
        }
        self._issued.append(self._clock())  # a request Zoho may count, whatever it answers
        response = await send(
            self._client,
            lambda: self._client.build_request("POST", url, params=params),
            provider="Zoho's accounts server",
            what="get an access token",
            retry=self._retry,
        )
        data = json_object(response, provider="Zoho's accounts server", what="get an access token")
        token = data.get("access_token")
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise _token_refusal(data, response.status_code)
        self._token = token
        self._expires_at = self._clock() + max(0.0, _expires_in(data) - TOKEN_MARGIN)


def _expires_in(data: dict[str, Any]) -> float:
    # Older Zoho accounts servers answered expires_in in milliseconds beside expires_in_sec.
    seconds = data.get("expires_in_sec")
    if isinstance(seconds, (int, float)) and seconds > 0:
        return float(seconds)
    value = data.get("expires_in")
    if isinstance(value, (int, float)) and value > 0:
        return float(value) / 1000 if value > 86_400 else float(value)
    return 3600.0


def _token_refusal(data: dict[str, Any], status: int) -> ProviderError:
    error = short(data.get("error", f"HTTP {status}"), 80)
    if "too many requests" in str(data.get("error_description", "")).lower() or error == "Access Denied":
        return ProviderUnavailable(
            "Zoho's accounts server is refusing new access tokens for now (too many requests). "
            "Try again in 10 minutes, or switch the session to TeamViewer."
        )
    if error == "invalid_client":
        return ProviderAuthError(
            "Zoho's accounts server does not know the self client (invalid_client): check "
            f"PHONETEX_ZOHO_CLIENT_ID and PHONETEX_ZOHO_CLIENT_SECRET, and that {ENV_ZOHO_DC} is the data "
            "centre the self client was made in."
        )
    return ProviderAuthError(
        f"Zoho's accounts server refused the refresh token ({error}): make a new one in the API console's "
        f"self client with the scopes {', '.join(ZOHO_SCOPES)} and put it in PHONETEX_ZOHO_REFRESH_TOKEN."
    )


class ZohoAssist:
    """The Assist API of one Zoho account. One instance per server process; ``aclose()`` at the end."""

    def __init__(
        self,
        settings: ZohoSettings,
        *,
        retry: RetryPolicy | None = None,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._retry = retry or RetryPolicy()
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT)
        self.tokens = ZohoTokens(settings, self._client, self._retry, clock)
        self._department_id = settings.department_id

    async def aclose(self) -> None:
        await self._client.aclose()

    async def create_session(self, customer_email: str | None = None) -> ProviderSession:
        """A remote support session now; Zoho e-mails the customer an invitation if given an address."""
        params = {"type": "rs"}
        if customer_email:
            params["customer_email"] = customer_email
        data = await self._call("POST", "/session", what="create a session", params=params)
        rep = _representation(data, "create a session")
        customer_url = _text(rep, "customer_url", "create a session")
        technician_url = self._absolute(_text(rep, "technician_url", "create a session"))
        session_id = _identifier(rep.get("session_id"), "session_id", "create a session")
        return ProviderSession(PROVIDER, session_id, customer_url, technician_url)

    async def department_id(self) -> str:
        if self._department_id is None:
            data = await self._call("GET", "/user", what="read the technician's departments")
            rep = _representation(data, "read the technician's departments")
            self._department_id = _first_department(rep)
        return self._department_id

    async def schedule_session(
        self,
        *,
        customer_email: str,
        title: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        reminder_minutes: int = 15,
    ) -> ProviderSession:
        """A session booked for ``start``-``end`` (aware datetimes), invitations sent by Zoho."""
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise ValueError("start and end must be aware datetimes with end after start")
        try:
            offset = start.astimezone(ZoneInfo(time_zone)).strftime("%z")
        except ZoneInfoNotFoundError:
            raise ProviderError(f"{time_zone!r} is not a time zone name such as Europe/London.") from None
        body = {
            "mode": "SCHEDULE",
            "title": title,
            "notes": "",
            "customer_email": customer_email,
            "schedule_time": _ms(start),
            "schedule_upto": _ms(end),
            "utc_offset": f"{offset[:3]}:{offset[3:]}",
            "time_zone": time_zone,
            "reminder": reminder_minutes,
            "department_id": await self.department_id(),
        }
        data = await self._call("POST", "/session/schedule", what="schedule a session", json=body)
        rep = _representation(data, "schedule a session")
        status = rep.get("statue", rep.get("status"))  # Zoho spells it "statue"
        if status is not None and str(status).lower() not in ("ok", "success"):
            raise ProviderAnswerError(f"Zoho Assist did not schedule the session (status {short(status, 40)!r}).")
        schedule_id = _identifier(rep.get("schedule_id"), "schedule_id", "schedule a session")
        customer_url = _schedule_link(rep)
        technician = rep.get("technician_url")
        return ProviderSession(
            PROVIDER,
            schedule_id,
            customer_url,
            self._absolute(technician) if isinstance(technician, str) and technician else "",
            valid_until=end,
        )

    async def session_report(self, session_id: str, since: datetime, until: datetime) -> SessionReport | None:
        """The report of ``session_id`` between ``since`` and ``until``, or None if Zoho lists none."""
        what = "read the session reports"
        params: dict[str, Any] = {
            "type": "rs",
            "fromdate": _ms(since),
            "todate": _ms(until),
            "index": 1,
            "count": REPORT_PAGE,
        }
        for _ in range(MAX_REPORT_PAGES):
            data = await self._call("GET", "/reports", what=what, params=params)
            rows = data.get("representation")
            if not isinstance(rows, list):
                raise ProviderAnswerError("Zoho Assist's session reports came without a list of sessions.")
            for row in rows:
                if isinstance(row, dict) and str(row.get("session_id")) == session_id:
                    return _report(row, session_id)
            following = self._next_page(data, params, len(rows))
            if following is None:
                return None
            params = following
        raise ProviderAnswerError(
            f"Zoho Assist's session reports ran past {MAX_REPORT_PAGES} pages without session {session_id}."
        )

    def _next_page(self, data: dict[str, Any], params: dict[str, Any], rows: int) -> dict[str, Any] | None:
        total = data.get("total_count")
        index = int(params["index"])
        if rows == 0 or rows < int(params["count"]):
            return None
        if isinstance(total, int) and index + rows > total:
            return None
        page = data.get("page")
        nxt = page.get("next") if isinstance(page, dict) else None
        if isinstance(nxt, str) and nxt:
            # Follow Zoho's own link only on the same API, and only for its paging settings.
            link = urlsplit(urljoin(self.settings.api_url + "/", nxt))
            base = urlsplit(self.settings.api_url)
            if (link.scheme, link.netloc) == (base.scheme, base.netloc) and link.path.rstrip("/").endswith("/reports"):
                paging = dict(parse_qsl(link.query))
                if paging.get("index", "").isdigit():
                    return {**params, "index": int(paging["index"])}
        return {**params, "index": index + rows}

    def _absolute(self, url: str) -> str:
        # Zoho's documented technician_url is absolute; Lens-style relative ones join the API host.
        parts = urlsplit(self.settings.api_url)
        return urljoin(f"{parts.scheme}://{parts.netloc}/", url)

    async def _call(self, method: str, path: str, *, what: str, **kwargs: Any) -> dict[str, Any]:
        url = self.settings.api_url + path
        token = await self.tokens.current()
        for first_try in (True, False):
            response = await send(
                self._client,
                # Bound now: the retry after a refusal sends the refreshed token.
                functools.partial(
                    self._client.build_request, method, url, headers={"Authorization": f"Zoho-oauthtoken {token}"}, **kwargs
                ),
                provider=NAME,
                what=what,
                retry=self._retry,
            )
            if response.status_code == 401 and first_try:
                token = await self.tokens.after_refusal(token)
                continue
            break
        if response.status_code in (401, 403):
            raise ProviderAuthError(
                f"Zoho Assist refused to {what} (HTTP {response.status_code}) even with a fresh access token: "
                f"the self client's grant needs the scopes {', '.join(ZOHO_SCOPES)}, and {ENV_ZOHO_DC} must be "
                "the data centre of your Zoho account."
            )
        if response.status_code >= 400:
            raise ProviderError(
                f"Zoho Assist refused to {what} (HTTP {response.status_code}: {_zoho_message(response)})."
            )
        return json_object(response, provider=NAME, what=what)


def _zoho_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return short(response.text or "no details", 160)
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return short(error.get("message") or error.get("code") or error, 160)
    return short(error or data, 160)


def _representation(data: dict[str, Any], what: str) -> dict[str, Any]:
    rep = data.get("representation")
    if not isinstance(rep, dict):
        raise ProviderAnswerError(f"Zoho Assist's answer to the request to {what} has no representation.")
    return rep


def _text(rep: dict[str, Any], key: str, what: str) -> str:
    value = rep.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProviderAnswerError(f"Zoho Assist's answer to the request to {what} has no {key}.")
    return value.strip()


def _identifier(value: Any, key: str, what: str) -> str:
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not text.isdigit() or len(text) > 20:
        raise ProviderAnswerError(f"Zoho Assist's answer to the request to {what} has no usable {key}.")
    return text


def _schedule_link(rep: dict[str, Any]) -> str:
    link = rep.get("customer_url")
    if isinstance(link, str) and link:
        return link
    # Parse defensively: the schedule answer's key for the customer's link is not fixed in the docs.
    for value in rep.values():
        if isinstance(value, str) and "/assist-schedule?" in value:
            return value
    raise ProviderAnswerError("Zoho Assist scheduled the session but its answer has no customer link.")


def _first_department(rep: dict[str, Any]) -> str:
    for key in ("departments", "department"):
        found = rep.get(key)
        entries = found if isinstance(found, list) else [found]
        for entry in entries:
            if isinstance(entry, dict):
                value = entry.get("department_id", entry.get("id"))
                if isinstance(value, (int, str)) and str(value).isdigit():
                    return str(value)
    value = rep.get("department_id")
    if isinstance(value, (int, str)) and str(value).isdigit():
        return str(value)
    raise ProviderAnswerError(
        f"Zoho Assist's user details name no department to schedule in: set {ENV_ZOHO_DEPARTMENT_ID}."
    )


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _from_ms(value: Any) -> datetime | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    return datetime.fromtimestamp(number / 1000, tz=UTC)


def _report(row: dict[str, Any], session_id: str) -> SessionReport:
    started = _from_ms(row.get("start_time"))
    if started is None:
        raise ProviderAnswerError(f"Zoho Assist's report of session {session_id} has no start time.")
    ended = _from_ms(row.get("end_time"))
    duration: float | None
    try:
        duration = int(str(row.get("duration"))) / 1000  # milliseconds, as a string
    except ValueError:
        duration = (ended - started).total_seconds() if ended else None
    return SessionReport(session_id, started, ended, duration)
