"""Sessions as the console sees them: opened by a signed-in technician for a customer, listed
and shown to the technician who opened them (administrators see every session).

A session somebody else opened answers exactly as a session that does not exist: the console
must not tell one technician which codes belong to another's customers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from app.core.brand import Brand
from app.core.join_link import JoinLinkRefused, check_join_link
from app.core.session_code import format_session_code
from server.domain.refusals import InvalidRequest, NotYourSession
from server.domain.sessions import DEFAULT_EXPIRES_IN_MINUTES, cancel_session, open_session
from server.domain.step_events import SessionFacts, session_state
from server.domain.technicians import Technician
from server.storage import SessionOwnerRow, SessionRow, Store

LIST_LIMIT = 300
CONSOLE_PROVIDERS = {"zoho-assist": "Zoho Assist", "teamviewer": "TeamViewer"}
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}")




@dataclass(frozen=True)
class NewConsoleSession:
    ticket: str | None
    customer_name: str | None
    customer_email: str | None
    provider: str
    # None: this (demo) server's own join page for the session.
    join_url: str | None


def _optional_text(form: Mapping[str, str], field: str, label: str, max_len: int) -> str | None:
    value = (form.get(field) or "").strip()
    if not value:
        return None
    if len(value) > max_len or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidRequest(f"{label}: at most {max_len} characters, on one line.")
    return value


def parse_console_session(
    form: Mapping[str, str], brand: Brand, *, demo: bool, through_api: frozenset[str] = frozenset()
) -> NewConsoleSession:
    """The New session form, checked: the join link must pass the launcher's own allow-list, so a
    technician who pastes their own (technician's) link hears it now, not from the customer."""
    provider = form.get("provider") or ""
    if provider not in CONSOLE_PROVIDERS:
        raise InvalidRequest("Choose how you will connect: Zoho Assist or TeamViewer.")
    email = _optional_text(form, "customer_email", "The customer's e-mail address", 254)
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidRequest("The customer's e-mail address does not look like one; correct it or leave it empty.")
    link = (form.get("join_url") or "").strip()
    join_url = None
    if link:
        try:
            checked = check_join_link(link, brand)
        except JoinLinkRefused as refusal:
            raise InvalidRequest(
                f"That join link cannot be used because {refusal.reason}. Paste the customer's link from "
                f"{CONSOLE_PROVIDERS[provider]} (not your own technician link)."
            ) from None
        if checked.provider != provider:
            raise InvalidRequest(
                f"That is a {CONSOLE_PROVIDERS.get(checked.provider, checked.provider)} link, but you chose "
                f"{CONSOLE_PROVIDERS[provider]}: choose the other provider or paste the other link."
            )
        join_url = checked.url
    elif not demo and provider not in through_api:
        raise InvalidRequest(
            f"Paste the customer's join link from {CONSOLE_PROVIDERS[provider]} "
            "(this server is not set up to open its sessions through its API)."
        )
    return NewConsoleSession(
        ticket=_optional_text(form, "ticket", "Ticket", 64),
        customer_name=_optional_text(form, "customer_name", "The customer's name", 120),
        customer_email=email,
        provider=provider,
        join_url=join_url,
    )


def owner_of(technician: Technician, new: NewConsoleSession) -> SessionOwnerRow:
    return SessionOwnerRow(
        code="", technician_id=technician.id, customer_name=new.customer_name, customer_email=new.customer_email
    )


def open_console_session(
    store: Store,
    technician: Technician,
    new: NewConsoleSession,
    demo_join_url: Callable[[str], str] | None = None,
    expires_in_minutes: int = DEFAULT_EXPIRES_IN_MINUTES,
) -> SessionRow:
    """A session with a pasted link, or (demo) this server's own demo join page. Sessions opened
    through a provider's API go through server.domain.provider_sessions.open_support_session."""
    join_url = new.join_url if new.join_url is not None else demo_join_url
    if join_url is None:
        raise InvalidRequest("Paste the customer's join link.")
    return open_session(
        store,
        technician=technician.name,
        ticket=new.ticket,
        join_url=join_url,
        provider=new.provider,
        expires_in_minutes=expires_in_minutes,
        owner=owner_of(technician, new),
    )


def _may_see(technician: Technician, owner: SessionOwnerRow | None) -> bool:
    return technician.is_admin or (owner is not None and owner.technician_id == technician.id)


def session_facts(store: Store, technician: Technician, code: str) -> SessionFacts:
    with store.reading() as tx:
        session = tx.session(code)
        owner = tx.session_owner(code)
        if session is None or not _may_see(technician, owner):
            raise NotYourSession(
                f"There is no session {format_session_code(code)} among the sessions you can see."
            )
        consent = tx.consent_for_session(code)
        return SessionFacts(
            session=session,
            customer_name=owner.customer_name if owner else None,
            customer_email=owner.customer_email if owner else None,
            technician_id=owner.technician_id if owner else None,
            steps=tuple(tx.step_events(code)),
            consent=consent,
            switches=tuple(tx.provider_switches(code)),
            withdrawal=tx.withdrawal(consent.receipt_id) if consent is not None else None,
        )


@dataclass(frozen=True)
class ListedSession:
    session: SessionRow
    owner: SessionOwnerRow | None
    state: str


def listed_sessions(
    store: Store, technician: Technician, state: str | None = None, now: datetime | None = None
) -> list[ListedSession]:
    """The newest sessions this technician may see, optionally only those in ``state``."""
    with store.reading() as tx:
        rows = tx.recent_sessions(None if technician.is_admin else technician.id, LIST_LIMIT)
        names = tx.step_names([session.code for session, _ in rows])
        # Only consented sessions can have been withdrawn or ended by the customer's launcher.
        endings = {}
        for session, _ in rows:
            consent = tx.consent_for_session(session.code) if session.status == "consented" else None
            withdrawal = tx.withdrawal(consent.receipt_id) if consent is not None else None
            if withdrawal is not None:
                endings[session.code] = withdrawal.reason
    listed = [
        ListedSession(
            session, owner,
            session_state(
                session, names.get(session.code, set()), False, now, withdrawal_reason=endings.get(session.code)
            ),
        )
        for session, owner in rows
    ]
    return [item for item in listed if state is None or item.state == state]


def cancel_for(store: Store, technician: Technician, code: str) -> bool:
    """Cancel a session this technician may see and nobody consented to yet."""
    session_facts(store, technician, code)  # refuses somebody else's session
    return cancel_session(store, code)
