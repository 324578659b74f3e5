"""Talks to Phonetex's consent server: look a session up, record a consent.

TLS is always verified (httpx's default, never switched off) and the base URL comes from
:mod:`app.core.server_address`, never from the server's answers or the customer. Proxies from the
environment are honoured so the launcher works in offices behind one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from app import __version__
from app.core.consent_record import ConsentRecord
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, UserFacingError
from app.core.session_code import parse_session_code

TIMEOUT = httpx.Timeout(15.0, connect=10.0)


class ServerError(UserFacingError):
    """The server could not be reached or refused; the message says what to do next.

    ``status`` is the HTTP status (0 when no answer came back), ``error`` the server's machine word.
    """

    def __init__(self, template: str, status: int = 0, error: str = "", **params: Any) -> None:
        super().__init__(template, **params)
        self.status = status
        self.error = error

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
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=TIMEOUT,
            headers={"User-Agent": f"PhonetexSupportLauncher/{__version__}"},
            follow_redirects=False,  # an answer must come from the configured server itself
        )

    def close(self) -> None:
        self._http.close()

    def lookup_session(self, code: str) -> SessionInfo:
        code = parse_session_code(code)
        data = self._request("GET", f"/api/v1/sessions/{code}")
        try:
            return SessionInfo(
                code=str(data["code"]),
                company=str(data["company"]),
                technician=str(data["technician"]),
                ticket=None if data.get("ticket") is None else str(data["ticket"]),
                expires_at=str(data["expires_at"]),
                status=str(data["status"]),
                verification_words=tuple(str(w) for w in data.get("verification_words", ())),
            )
        except (KeyError, TypeError):
            raise _unreadable_answer() from None

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
            response = self._http.request(method, path, **kwargs)
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
        error = data.get("error", "") if isinstance(data, dict) else ""
        if isinstance(message, str) and message.strip() and response.status_code < 500:
            # The server's own sentence is written for the customer (see docs/server-api.md).
            raise ServerError("{message}", status=response.status_code, error=str(error), message=message.strip()[:500])
        if response.status_code >= 500:
            raise ServerError(
                QT_TRANSLATE_NOOP(
                    CONTEXT,
                    "Phonetex's server had a problem and could not record this. Nothing is lost: "
                    "press Retry in a moment.",
                ),
                status=response.status_code,
                error=str(error),
            )
        raise ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Phonetex's server refused the request (error {status}). Please tell your technician.",
            ),
            status=response.status_code,
            error=str(error),
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
