"""Support sessions: what a technician may open, and what a customer is told about one."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.core.contract import MAX_EXPIRES_IN_MINUTES, NEW_SESSION, PROVIDERS, SESSION, SESSION_CREATED
from app.core.session_code import EXAMPLE, format_session_code
from app.core.utc_time import iso_utc, parse_iso_utc, utc_now
from app.core.verification_words import derive_words
from app.core.wire import WireError
from server.domain.codes import is_session_code, new_session_code
from server.domain.refusals import (
    InvalidCode,
    InvalidRequest,
    SessionCancelled,
    SessionExpired,
    TooManyWrongCodes,
    UnknownCode,
)
from server.storage import SessionOwnerRow, SessionRow, Store, StoreError

DEFAULT_EXPIRES_IN_MINUTES = 60
# A scheduled session stays open this long past its booked end.
SCHEDULE_GRACE = timedelta(hours=1)
# A handful of tries is plenty: 900 million session codes.
_MAX_CODE_TRIES = 20
# Keys the sessions' verification words (app.core.verification_words). Kept in the store so the
# server, a restart of it and the offline create-session command all show the same words.
WORDS_SECRET = "verification_words"
TICKET_SECRET = "consent_tickets"
_SECRET_BYTES = 32


@dataclass(frozen=True)
class Schedule:
    """A Zoho Assist session booked for later (the customer gets Zoho's invitation)."""

    start: datetime
    minutes: int
    time_zone: str
    title: str | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class NewSession:
    technician: str
    ticket: str | None
    # A link the technician pasted, or None: the server asks the provider for a session.
    join_url: str | None
    provider: str
    expires_in_minutes: int = DEFAULT_EXPIRES_IN_MINUTES
    customer_email: str | None = None
    schedule: Schedule | None = None


def check_join_url(url: str) -> str:
    """An absolute web address. The launcher, not the server, decides whether it may be opened:
    demo and test sessions point at loopback pages the launcher's allow-list refuses elsewhere."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise InvalidRequest("join_url is not a valid web address.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidRequest("join_url must be an https:// (or http://) address with a host.")
    return url


def parse_new_session(data: Any, now: datetime | None = None) -> NewSession:
    """Validate a ``POST /api/v1/sessions`` body (also what ``create-session`` takes) with the
    contract's :data:`~app.core.contract.NEW_SESSION`.

    Without ``join_url`` the server opens the session with the provider itself (Zoho Assist by
    default), optionally inviting ``customer_email``, or booked for later with ``schedule``.
    """
    try:
        fields = NEW_SESSION.parse(data)
    except WireError as error:
        raise InvalidRequest(f"{error.where or 'The session request'} {error.reason}.") from None
    ticket = fields.get("ticket")
    provider = fields.get("provider", PROVIDERS[0])
    minutes = fields.get("expires_in_minutes", DEFAULT_EXPIRES_IN_MINUTES)
    join_url, email = fields.get("join_url"), fields.get("customer_email")
    schedule = None if fields.get("schedule") is None else _schedule(fields["schedule"], now or utc_now())
    if join_url is not None and (email is not None or schedule is not None):
        raise InvalidRequest(
            "Give either join_url (a link you made yourself) or customer_email/schedule (for a session "
            "the server opens with the provider), not both."
        )
    if schedule is not None:
        minutes = _scheduled_minutes(schedule, provider, email, minutes, now or utc_now())
    return NewSession(
        technician=fields["technician"].strip(),
        ticket=None if ticket is None else ticket.strip(),
        join_url=None if join_url is None else check_join_url(join_url),
        provider=provider,
        expires_in_minutes=minutes,
        customer_email=email,
        schedule=schedule,
    )


def _scheduled_minutes(schedule: Schedule, provider: str, email: str | None, minutes: int, now: datetime) -> int:
    """How long a booked session's code stays open: to the booked end and a grace period at least."""
    if provider != "zoho-assist":
        raise InvalidRequest("Only Zoho Assist sessions can be scheduled.")
    if email is None:
        raise InvalidRequest("A scheduled session needs customer_email: Zoho sends the invitation there.")
    until = schedule.end + SCHEDULE_GRACE - now
    minutes = max(minutes, -(-int(until.total_seconds()) // 60))
    if minutes > MAX_EXPIRES_IN_MINUTES:
        raise InvalidRequest("A scheduled session must end within a week.")
    return minutes


def _schedule(fields: dict[str, Any], now: datetime) -> Schedule:
    try:
        start = datetime.fromisoformat(fields["start"])
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise InvalidRequest("schedule.start must be a time with its UTC offset, like 2026-12-02T14:00+00:00.")
    if start <= now:
        raise InvalidRequest("schedule.start is in the past.")
    try:
        ZoneInfo(fields["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest("schedule.time_zone must be a time zone name, like Europe/London.") from None
    title = fields.get("title")
    return Schedule(start, fields.get("minutes", 60), fields["time_zone"], None if title is None else title.strip())


def require_code(code: str) -> str:
    if not is_session_code(code):
        raise InvalidCode(f"That is not a session code. A session code has 9 digits, like {EXAMPLE}.")
    return code


def unknown_code(code: str) -> UnknownCode:
    return UnknownCode(
        f"There is no support session with the code {format_session_code(code)}. "
        "Check the code with your technician."
    )


def too_many_wrong_codes(retry_after: int) -> TooManyWrongCodes:
    """For an address that tried too many wrong codes: when to try again, in seconds (the
    launcher shows the time to the customer)."""
    minutes = max(1, -(-retry_after // 60))
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return TooManyWrongCodes(
        f"Too many wrong session codes were tried from this network. Wait {wait}, then try again.",
        retry_after=retry_after,
    )


def is_expired(session: SessionRow, now: datetime | None = None) -> bool:
    return (now or utc_now()) >= parse_iso_utc(session.expires_at)


def require_live_session(session: SessionRow | None, code: str, now: datetime | None = None) -> SessionRow:
    """The session a customer may act on: it exists, was not cancelled and has not expired."""
    if session is None:
        raise unknown_code(code)
    if session.status == "cancelled":
        raise SessionCancelled("This support session was cancelled. Ask your technician for a new session code.")
    if is_expired(session, now):
        raise SessionExpired("This support session has expired. Ask your technician for a new session code.")
    return session


def open_session(
    store: Store,
    *,
    technician: str,
    ticket: str | None,
    join_url: str | Callable[[str], str],
    provider: str,
    expires_in_minutes: int,
    now: datetime | None = None,
    provider_session_id: str | None = None,
    technician_url: str | None = None,
    owner: SessionOwnerRow | None = None,
) -> SessionRow:
    """Open a session under a fresh code (fields as :func:`parse_new_session` checked them).

    ``join_url`` may be a function of the new code, for links that point back at the session
    itself (the demo join page), so the row is never written with a placeholder. ``owner`` (its
    ``code`` is filled in) says which technician opened it for which customer, in the same
    transaction, so no session is ever without the technician who opened it.
    """
    created = now or utc_now()
    with store.transaction() as tx:
        for _ in range(_MAX_CODE_TRIES):
            code = new_session_code()
            if tx.session(code) is None:
                break
        else:
            raise StoreError("Could not find an unused session code; the sessions table is nearly full.")
        session = SessionRow(
            code=code,
            technician=technician,
            ticket=ticket,
            join_url=join_url(code) if callable(join_url) else join_url,
            provider=provider,
            created_at=iso_utc(created),
            expires_at=iso_utc(created + timedelta(minutes=expires_in_minutes)),
            status="open",
            provider_session_id=provider_session_id,
            technician_url=technician_url,
        )
        tx.insert_session(session)
        if owner is not None:
            tx.insert_session_owner(replace(owner, code=code))
    return session


def cancel_session(store: Store, code: str) -> bool:
    """Cancel a session that has no consent yet; False if there is no such open session."""
    with store.transaction() as tx:
        session = tx.session(code)
        if session is None or session.status != "open":
            return False
        tx.set_status(code, "cancelled")
    return True


def ticket_secret(store: Store) -> bytes:
    """The key of the consent tickets a successful look-up hands out (server.domain.limits.Tickets)."""
    return store.secret(TICKET_SECRET, lambda: secrets.token_bytes(_SECRET_BYTES))


def words_secret(store: Store) -> bytes:
    """The key of every session's verification words, made on first use."""
    return store.secret(WORDS_SECRET, lambda: secrets.token_bytes(_SECRET_BYTES))


def session_answer(
    session: SessionRow, company: str, words_secret: bytes, consent_ticket: str | None = None
) -> dict[str, Any]:
    """What a customer's launcher is told, to show who is helping them. The technician gets the
    same ``verification_words`` when opening the session, to read them out on the phone; only a
    customer's look-up carries a ``consent_ticket``."""
    ticket = {} if consent_ticket is None else {"consent_ticket": consent_ticket}
    return SESSION.parse({
        **ticket,
        "code": session.code,
        "company": company,
        "technician": session.technician,
        "ticket": session.ticket,
        "expires_at": session.expires_at,
        "status": session.status,
        "verification_words": list(derive_words(words_secret, session.code)),
    })


def created_answer(session: SessionRow, company: str, words_secret: bytes, customer_link: str) -> dict[str, Any]:
    """The ``201`` answer to a technician who opened a session."""
    return SESSION_CREATED.parse({**session_answer(session, company, words_secret), "customer_link": customer_link})


def session_summary(session: SessionRow, company: str, words_secret: bytes, customer_link: str) -> dict[str, Any]:
    """What ``create-session`` prints and ``EmbeddedServer.create_session`` returns: the API's
    answer plus the join link and provider, which the caller needs when it is also the test."""
    return {
        **created_answer(session, company, words_secret, customer_link),
        "join_url": session.join_url,
        "provider": session.provider,
    }
