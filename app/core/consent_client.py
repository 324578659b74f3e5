"""Talks to Phonetex's consent server: look a session up, record a consent.

TLS is always verified (httpx's default, never switched off) and the base URL comes from
:mod:`app.core.server_address`, never from the server's answers or the customer. Proxies from the
environment are honoured so the launcher works in offices behind one.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from app import __version__
from app.core.consent_record import ConsentRecord
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, UserFacingError
from app.core.session_code import format_session_code, parse_session_code
from app.core.verification_words import checked_words

TIMEOUT = httpx.Timeout(15.0, connect=10.0)
# Longer waits than a day are the server's mistake, not a reason to tell a customer "tomorrow".
MAX_RETRY_AFTER = 24 * 60 * 60

# What the customer is told when a code cannot be used, per the server's answer: each says what
# happened and what to do next (docs/server-api.md names the answers).
_LOOKUP_REFUSALS = {
    (404, "unknown_code"): QT_TRANSLATE_NOOP(
        CONTEXT,
        "There is no support session with the code {code}. Check the code with your technician "
        "(it is in their email or text message) and type it again.",
    ),
    (410, "expired"): QT_TRANSLATE_NOOP(
        CONTEXT,
        "The session code {code} has expired. Ask your technician for a new code; they can open a "
        "new session for you straight away.",
    ),
    (410, "cancelled"): QT_TRANSLATE_NOOP(
        CONTEXT,
        "The session {code} was cancelled by your technician. If you still need help, ask them for "
        "a new code.",
    ),
}


class ServerError(UserFacingError):
    """The server could not be reached or refused; the message says what to do next.

    ``status`` is the HTTP status (0 when no answer came back), ``error`` the server's machine word,
    ``retry_after`` the seconds a ``429`` asked to wait (None otherwise).
    """

    def __init__(
        self, template: str, status: int = 0, error: str = "", retry_after: int | None = None, **params: Any
    ) -> None:
        super().__init__(template, **params)
        self.status = status
        self.error = error
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """True when sending the same request again may work (no answer, or the server failed)."""
        return self.status == 0 or self.status >= 500 or self.status == 429


@dataclass(frozen=True)
class SessionInfo:
    code: str
    company: str
    technician: str
    ticket: str | None
    expires_at: str
    status: str
    verification_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentAnswer:
    reference: str
    join_url: str
    provider: str
    receipt: dict[str, Any] = field(default_factory=dict)


class ConsentClient:
    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._transport = transport
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        # Made on first use, in a worker: loading the system's certificate store reads disk and
        # must neither hold up the first painted page nor run on the GUI thread.
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    base_url=self._base_url,
                    transport=self._transport,
                    timeout=TIMEOUT,
                    headers={"User-Agent": f"PhonetexSupportLauncher/{__version__}"},
                    follow_redirects=False,  # an answer must come from the configured server itself
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def lookup_session(self, code: str) -> SessionInfo:
        """What the server says about a session. Unknown, expired and cancelled codes raise a
        :class:`ServerError` whose message is this launcher's own, with what to do next."""
        code = parse_session_code(code)
        try:
            data = self._request("GET", f"/api/v1/sessions/{code}")
        except ServerError as error:
            template = _LOOKUP_REFUSALS.get((error.status, error.error))
            if template is None:
                raise
            raise ServerError(template, status=error.status, error=error.error, code=format_session_code(code)) from None
        try:
            session = SessionInfo(
                code=str(data["code"]),
                company=str(data["company"]),
                technician=str(data["technician"]),
                ticket=None if data.get("ticket") is None else str(data["ticket"]),
                expires_at=str(data["expires_at"]),
                status=str(data["status"]),
                verification_words=checked_words(data["verification_words"]),
            )
        except (KeyError, TypeError, ValueError):
            raise _unreadable_answer() from None
        if session.code != code:
            raise _unreadable_answer()
        return session

    def send_consent(self, record: ConsentRecord) -> ConsentAnswer:
        """Record the consent. Sending the same record again is safe: the receipt id makes the
        server answer a repeat with the first answer instead of storing a second consent."""
        data = self._request(
            "POST", f"/api/v1/sessions/{record.session_code}/consent", json=record.to_dict()
        )
        try:
            return ConsentAnswer(
                reference=str(data["reference"]),
                join_url=str(data["join_url"]),
                provider=str(data["provider"]),
                receipt=dict(data["receipt"]),
            )
        except (KeyError, TypeError, ValueError):
            raise _unreadable_answer() from None

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client().request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise ServerError(
                QT_TRANSLATE_NOOP(
                    CONTEXT,
                    "Phonetex's server did not answer in time. Check your internet connection, "
                    "then press Retry.",
                )
            ) from None
        except httpx.ConnectError as error:
            if "CERTIFICATE" in str(error).upper() or "SSL" in str(error).upper():
                raise ServerError(
                    QT_TRANSLATE_NOOP(
                        CONTEXT,
                        "The connection to Phonetex's server could not be verified as secure, so "
                        "nothing was sent. If you are on a public or hotel network, try another "
                        "network, then press Retry.",
                    )
                ) from None
            raise _unreachable() from None
        except httpx.HTTPError:
            raise _unreachable() from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success:
            if not isinstance(data, dict):
                raise _unreadable_answer()
            return data
        message = data.get("message") if isinstance(data, dict) else None
        error_word = data.get("error", "") if isinstance(data, dict) else ""
        if response.status_code == 429:
            raise _too_many_attempts(response, data)
        if isinstance(message, str) and message.strip() and response.status_code < 500:
            # The server's own sentence is written for the customer (see docs/server-api.md).
            raise ServerError("{message}", status=response.status_code, error=str(error_word), message=message.strip()[:500])
        if response.status_code >= 500:
            raise ServerError(
                QT_TRANSLATE_NOOP(
                    CONTEXT,
                    "Phonetex's server had a problem and could not record this. Nothing is lost: "
                    "press Retry in a moment.",
                ),
                status=response.status_code,
                error=str(error_word),
            )
        raise ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Phonetex's server refused the request (error {status}). Please tell your technician.",
            ),
            status=response.status_code,
            error=str(error_word),
        )


def retry_after_seconds(response: httpx.Response, data: Any) -> int | None:
    """The wait a ``429`` asks for: the ``Retry-After`` header in seconds, else ``retry_after``
    in the JSON body; None when neither is a sensible number of seconds."""
    for value in (response.headers.get("retry-after"), data.get("retry_after") if isinstance(data, dict) else None):
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value.strip()):
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_RETRY_AFTER:
            return value
    return None


def _too_many_attempts(response: httpx.Response, data: Any) -> ServerError:
    seconds = retry_after_seconds(response, data)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    if seconds is None:
        return ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Too many wrong session codes have been tried from your network, so Phonetex's server "
                "is pausing for a while. Check the code with your technician, then try again later.",
            ),
            status=429,
            error=error,
        )
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Too many wrong session codes have been tried from your network, so Phonetex's server "
            "is pausing for a while. Try again in about {minutes} min. Meanwhile, check the code "
            "with your technician.",
        ),
        status=429,
        error=error,
        retry_after=seconds,
        minutes=-(-seconds // 60),
    )


def _unreachable() -> ServerError:
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Phonetex's server could not be reached. Check that you are connected to the internet, "
            "then press Retry.",
        )
    )


def _unreadable_answer() -> ServerError:
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Phonetex's server sent an answer this launcher cannot read. Please tell your technician.",
        ),
        status=502,
    )
