"""Support sessions: what a technician may open, and what a customer is told about one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from app.core.session_code import EXAMPLE, format_session_code
from app.core.verification_words import derive_words
from server.codes import is_session_code
from server.db import SessionRow
from server.errors import ApiError

PROVIDERS = ("zoho-assist", "teamviewer")
DEFAULT_EXPIRES_IN_MINUTES = 60
# A week: long enough for a booked appointment, short enough that old codes stop working.
MAX_EXPIRES_IN_MINUTES = 7 * 24 * 60
_MAX_TECHNICIAN = 120
_MAX_TICKET = 64
_MAX_URL = 2048
_FIELDS = {"technician", "ticket", "join_url", "provider", "expires_in_minutes"}


class NewSessionError(ValueError):
    """The technician's request for a session is off; the message says which field and why."""


@dataclass(frozen=True)
class NewSession:
    technician: str
    ticket: str | None
    join_url: str
    provider: str
    expires_in_minutes: int = DEFAULT_EXPIRES_IN_MINUTES


def _text(value: Any, field: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NewSessionError(f"{field} must be non-empty text.")
    value = value.strip()
    if len(value) > max_len:
        raise NewSessionError(f"{field} is longer than {max_len} characters.")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise NewSessionError(f"{field} contains control characters.")
    return value


def check_join_url(url: Any) -> str:
    """An absolute web address. The launcher, not the server, decides whether it may be opened:
    demo and test sessions point at loopback pages the launcher's allow-list refuses elsewhere."""
    url = _text(url, "join_url", _MAX_URL)
    if any(c.isspace() for c in url):
        raise NewSessionError("join_url must not contain spaces.")
    try:
        parts = urlsplit(url)
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise NewSessionError("join_url is not a valid web address.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NewSessionError("join_url must be an https:// (or http://) address with a host.")
    return url


def parse_new_session(data: Any) -> NewSession:
    """Validate a ``POST /api/v1/sessions`` body (also what ``create-session`` takes)."""
    if not isinstance(data, dict):
        raise NewSessionError("The session request must be a JSON object.")
    unknown = set(data) - _FIELDS
    if unknown:
        raise NewSessionError(f"The session request has fields it does not allow: {', '.join(sorted(unknown))}.")
    missing = {"technician", "join_url"} - set(data)
    if missing:
        raise NewSessionError(f"The session request is missing: {', '.join(sorted(missing))}.")
    ticket = data.get("ticket")
    provider = data.get("provider", PROVIDERS[0])
    if provider not in PROVIDERS:
        raise NewSessionError(f"provider must be one of: {', '.join(PROVIDERS)}.")
    minutes = data.get("expires_in_minutes", DEFAULT_EXPIRES_IN_MINUTES)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_EXPIRES_IN_MINUTES:
        raise NewSessionError(f"expires_in_minutes must be a whole number from 1 to {MAX_EXPIRES_IN_MINUTES}.")
    return NewSession(
        technician=_text(data["technician"], "technician", _MAX_TECHNICIAN),
        ticket=None if ticket is None else _text(ticket, "ticket", _MAX_TICKET),
        join_url=check_join_url(data["join_url"]),
        provider=provider,
        expires_in_minutes=minutes,
    )


def require_code(code: str) -> str:
    if not is_session_code(code):
        raise ApiError(
            422, "invalid_code", f"That is not a session code. A session code has 9 digits, like {EXAMPLE}."
        )
    return code


def unknown_code(code: str) -> ApiError:
    return ApiError(
        404,
        "unknown_code",
        f"There is no support session with the code {format_session_code(code)}. "
        "Check the code with your technician.",
    )


def too_many_wrong_codes(retry_after: int) -> ApiError:
    """``429`` for an address that tried too many wrong codes: when to try again, in seconds, in
    the ``Retry-After`` header and the body (the launcher shows the time to the customer)."""
    minutes = max(1, -(-retry_after // 60))
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return ApiError(
        429,
        "too_many_attempts",
        f"Too many wrong session codes were tried from this network. Wait {wait}, then try again.",
        headers={"Retry-After": str(retry_after)},
        retry_after=retry_after,
    )


def require_live_session(session: SessionRow | None, code: str, now: datetime | None = None) -> SessionRow:
    """The session a customer may act on: it exists, was not cancelled and has not expired."""
    if session is None:
        raise unknown_code(code)
    if session.status == "cancelled":
        raise ApiError(
            410, "cancelled", "This support session was cancelled. Ask your technician for a new session code."
        )
    if session.expired(now):
        raise ApiError(410, "expired", "This support session has expired. Ask your technician for a new session code.")
    return session


def session_answer(session: SessionRow, company: str, words_secret: bytes) -> dict[str, Any]:
    """What a customer's launcher is told, to show who is helping them. The technician gets the
    same ``verification_words`` when opening the session, to read them out on the phone."""
    return {
        "code": session.code,
        "company": company,
        "technician": session.technician,
        "ticket": session.ticket,
        "expires_at": session.expires_at,
        "status": session.status,
        "verification_words": list(derive_words(words_secret, session.code)),
    }


def created_answer(session: SessionRow, company: str, words_secret: bytes, customer_link: str) -> dict[str, Any]:
    """The ``201`` answer to a technician who opened a session."""
    return {**session_answer(session, company, words_secret), "customer_link": customer_link}


def session_summary(session: SessionRow, company: str, words_secret: bytes, customer_link: str) -> dict[str, Any]:
    """What ``create-session`` prints and ``EmbeddedServer.create_session`` returns: the API's
    answer plus the join link and provider, which the caller needs when it is also the test."""
    return {
        **created_answer(session, company, words_secret, customer_link),
        "join_url": session.join_url,
        "provider": session.provider,
    }
