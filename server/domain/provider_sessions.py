"""Support sessions and the providers behind them: the one kind of link a customer may be given,
opening the provider's session, switching to the other provider, and what the launcher is told
of the connection after consent.

Every customer link goes through the launcher's own allow-list (``app.core.join_link``) before
it is stored, whether a technician pasted it or a provider's API handed it out: a link the
launcher would refuse is refused here, when the technician can still do something about it.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.core.brand import Brand
from app.core.contract import CONNECTION, CONNECTION_QUESTION, PROVIDER_STATE, PROVIDER_SWITCH, PROVIDER_SWITCHED
from app.core.join_link import JoinLink, JoinLinkRefused, check_join_link
from app.core.utc_time import iso_utc, utc_now
from app.core.wire import WireError
from server.domain.refusals import (
    InvalidRequest,
    LinkRefused,
    NoConsent,
    NotSwitchable,
    ProviderFailed,
    ProviderNotConfigured,
)
from server.domain.sessions import PROVIDERS, NewSession, is_expired, open_session, require_live_session, unknown_code
from server.providers.errors import ProviderError, ProviderUnavailable
from server.providers.http import RetryPolicy
from server.providers.model import ProviderSession
from server.providers.settings import ProviderSettings
from server.providers.teamviewer import TeamViewer
from server.providers.zoho import ZohoAssist
from server.storage import ProviderSwitchRow, SessionOwnerRow, SessionReportRow, SessionRow, Store
from server.storage.runner import StoreRun

PROVIDER_NAMES = {"zoho-assist": "Zoho Assist", "teamviewer": "TeamViewer", "demo": "the demo page"}
EXAMPLE_LINKS = "https://assist.zoho.com/join?role=A&key=123456789 or https://get.teamviewer.com/s06301144"


class ProviderClients:
    """The provider clients of one process, made on first use from the settings."""

    def __init__(self, settings: ProviderSettings, *, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self._retry = retry
        self._zoho: ZohoAssist | None = None
        self._teamviewer: TeamViewer | None = None

    def zoho(self) -> ZohoAssist:
        if self.settings.zoho is None:
            raise ProviderNotConfigured(
                "Zoho Assist is not set up on this server (PHONETEX_ZOHO_CLIENT_ID, PHONETEX_ZOHO_CLIENT_SECRET, "
                "PHONETEX_ZOHO_REFRESH_TOKEN): give the customer's join link yourself (join_url, or --join-url), or "
                "use TeamViewer."
            )
        if self._zoho is None:
            self._zoho = ZohoAssist(self.settings.zoho, retry=self._retry)
        return self._zoho

    def teamviewer(self) -> TeamViewer:
        if self.settings.teamviewer is None:
            raise ProviderNotConfigured(
                "TeamViewer is not set up on this server (PHONETEX_TEAMVIEWER_TOKEN): give the customer's join link "
                "yourself (join_url, or --join-url)."
            )
        if self._teamviewer is None:
            self._teamviewer = TeamViewer(self.settings.teamviewer, retry=self._retry)
        return self._teamviewer

    async def aclose(self) -> None:
        for client in (self._zoho, self._teamviewer):
            if client is not None:
                await client.aclose()
        self._zoho = self._teamviewer = None


def check_customer_link(url: str, brand: Brand, provider: str | None = None) -> JoinLink:
    """The link as the launcher will open it, or :class:`LinkRefused` saying why it would not."""
    try:
        link = check_join_link(url, brand)
    except JoinLinkRefused as refusal:
        raise LinkRefused(
            f"The launcher would refuse this join link: {refusal.reason}. Give the customer link the provider "
            f"hands out, such as {EXAMPLE_LINKS}."
        ) from None
    if provider is not None and link.provider != provider:
        raise LinkRefused(
            f"join_url is a {PROVIDER_NAMES[link.provider]} link, but provider says {PROVIDER_NAMES.get(provider, provider)}."
        )
    return link


def provider_session_id(link: JoinLink) -> str | None:
    """The provider's id of the session a customer link joins, for the report afterwards."""
    parts = urlsplit(link.url)
    query = dict(parse_qsl(parts.query))
    if link.provider == "teamviewer":
        digits = parts.path.removeprefix("/s")
        return f"s{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    if parts.path == "/assist-schedule":
        return query.get("schedule_id")
    return query.get("key")


def _failed(provider: str, error: ProviderError) -> ProviderFailed:
    return ProviderFailed(
        str(error), provider=provider, provider_error=error.word, retryable=isinstance(error, ProviderUnavailable)
    )


async def _provider_session(
    clients: ProviderClients, provider: str, new: NewSession | None, description: str
) -> ProviderSession:
    try:
        if provider == "teamviewer":
            return await clients.teamviewer().create_session(
                description=description, customer_email=None if new is None else new.customer_email
            )
        zoho = clients.zoho()
        if new is not None and new.schedule is not None:
            assert new.customer_email is not None  # parse_new_session requires it
            schedule = new.schedule
            return await zoho.schedule_session(
                customer_email=new.customer_email,
                title=schedule.title or description,
                start=schedule.start,
                end=schedule.end,
                time_zone=schedule.time_zone,
            )
        return await zoho.create_session(None if new is None else new.customer_email)
    except ProviderError as error:
        raise _failed(provider, error) from None


def _provider_link(session: ProviderSession, brand: Brand) -> JoinLink:
    try:
        return check_customer_link(session.customer_url, brand, session.provider)
    except LinkRefused as refusal:
        raise ProviderFailed(
            f"{PROVIDER_NAMES[session.provider]} handed out a customer link the launcher would refuse "
            f"({refusal.message}); nothing was stored. Tell whoever maintains the allow-list.",
            provider=session.provider,
            provider_error="provider_answer",
            retryable=False,
        ) from None


async def open_support_session(
    store: Store,
    clients: ProviderClients,
    brand: Brand,
    new: NewSession,
    now: datetime | None = None,
    owner: SessionOwnerRow | None = None,
    *,
    run: StoreRun = asyncio.to_thread,
) -> SessionRow:
    """Open a session: with the technician's pasted link (checked), or with the provider's API.
    ``owner`` names the console technician who opened it (server.domain.sessions.open_session).
    The store is written through ``run`` (the server's ``StoreThread.run``), off the event loop."""
    technician_url = None
    if new.join_url is not None:
        link = check_customer_link(new.join_url, brand, new.provider)
        session_id = provider_session_id(link)
    else:
        made = await _provider_session(clients, new.provider, new, f"{brand.company} support {new.ticket or ''}".strip())
        link = _provider_link(made, brand)
        session_id, technician_url = made.session_id, made.technician_url or None
    return await run(
        partial(
            open_session,
            store,
            technician=new.technician,
            ticket=new.ticket,
            join_url=link.url,
            provider=link.provider,
            expires_in_minutes=new.expires_in_minutes,
            now=now,
            provider_session_id=session_id,
            technician_url=technician_url,
            owner=owner,
        )
    )


@dataclass(frozen=True)
class Switched:
    session: SessionRow
    switch: ProviderSwitchRow | None  # None: the session was already on that provider


def _require_switchable(session: SessionRow | None, code: str, now: datetime) -> SessionRow:
    if session is None:
        raise unknown_code(code)
    if session.status == "cancelled" or is_expired(session, now):
        raise NotSwitchable(f"Session {code} is {'cancelled' if session.status == 'cancelled' else 'over'}: open a new one.")
    return session


async def switch_provider(
    store: Store,
    clients: ProviderClients,
    brand: Brand,
    code: str,
    provider: str,
    technician: str | None = None,
    now: datetime | None = None,
    *,
    run: StoreRun = asyncio.to_thread,
) -> Switched:
    """Move the session to ``provider`` with a new provider session. Switching to the provider it
    is on already changes nothing (so a repeated request is harmless). After consent the switch
    is an amendment to the consent: the terms name TeamViewer as the fallback. The store is read
    and written through ``run``, off the event loop."""
    if provider not in PROVIDERS:
        raise InvalidRequest(f"provider must be one of: {', '.join(PROVIDERS)}.")
    when = now or utc_now()
    session = _require_switchable(await run(store.session, code), code, when)
    if session.provider == provider:
        return Switched(session, None)
    made = await _provider_session(clients, provider, None, f"{brand.company} support {session.ticket or code}")
    link = _provider_link(made, brand)
    return await run(_record_switch, store, code, when, provider, technician, made, link)


def _record_switch(
    store: Store, code: str, when: datetime, provider: str, technician: str | None, made: ProviderSession, link: JoinLink
) -> Switched:
    with store.transaction() as tx:
        current = _require_switchable(tx.session(code), code, when)
        if current.provider == provider:  # another request switched it meanwhile
            return Switched(current, None)
        switch = ProviderSwitchRow(
            session_code=code,
            switched_at=iso_utc(when),
            technician=technician or current.technician,
            from_provider=current.provider,
            to_provider=link.provider,
            provider_session_id=made.session_id,
            join_url=link.url,
            after_consent=tx.consent_for_session(code) is not None,
        )
        tx.switch_provider(switch, made.technician_url or None)
        updated = tx.session(code)
    assert updated is not None
    return Switched(updated, switch)


def amendment(switch: ProviderSwitchRow) -> dict[str, Any]:
    """A switch after consent, as the customer's receipt and the technicians read it."""
    return {
        "kind": "provider_changed",
        "at": switch.switched_at,
        "technician": switch.technician,
        "from_provider": switch.from_provider,
        "to_provider": switch.to_provider,
    }


def switch_answer(switched: Switched, switches: list[ProviderSwitchRow]) -> dict[str, Any]:
    """The technician's answer: the technician's link is theirs alone, never a customer's."""
    session = switched.session
    return PROVIDER_SWITCHED.parse({
        "code": session.code,
        "provider": session.provider,
        "provider_session_id": session.provider_session_id,
        "join_url": session.join_url,
        "technician_url": session.technician_url,
        "switched": switched.switch is not None,
        "amendments": [amendment(s) for s in switches if s.after_consent],
    })


def parse_switch(data: Any) -> tuple[str, str | None]:
    """The provider and the technician of a switch request (``POST .../provider``)."""
    try:
        fields = PROVIDER_SWITCH.parse(data)
    except WireError as error:
        raise InvalidRequest(f"{error.where or 'The switch request'} {error.reason}.") from None
    technician = fields.get("technician")
    return fields["provider"], None if technician is None else technician.strip()


def provider_switches(store: Store, code: str) -> list[ProviderSwitchRow]:
    """Every switch of the session, oldest first (for :func:`switch_answer`)."""
    with store.reading() as tx:
        return tx.provider_switches(code)


def _report(row: SessionReportRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "provider": row.provider,
        "provider_session_id": row.provider_session_id,
        "state": row.state,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "duration_seconds": row.duration_seconds,
        "flag": row.flag,
        "detail": None if row.detail is None else row.detail[:500],
        "checked_at": row.updated_at,
    }


def provider_state(store: Store, code: str) -> dict[str, Any]:
    """For technicians: the session's provider now, every switch, and what the report said."""
    with store.reading() as tx:
        session = tx.session(code)
        if session is None:
            raise unknown_code(code)
        switches = tx.provider_switches(code)
        psid = session.provider_session_id
        report = tx.session_report(code, psid) if psid is not None else None
    return PROVIDER_STATE.parse({
        "code": code,
        "provider": session.provider,
        "provider_session_id": session.provider_session_id,
        "join_url": session.join_url,
        "technician_url": session.technician_url,
        "switches": [
            {
                "at": s.switched_at,
                "technician": s.technician,
                "from_provider": s.from_provider,
                "to_provider": s.to_provider,
                "after_consent": s.after_consent,
            }
            for s in switches
        ],
        "report": _report(report),
    })


def connection_answer(store: Store, code: str, data: Any, now: datetime | None = None) -> dict[str, Any]:
    """What the launcher's Connect page asks while it is open: which provider and link the session
    is on now. Only the launcher that recorded the consent (it knows the receipt id) is told."""
    try:
        receipt_id = CONNECTION_QUESTION.parse(data)["receipt_id"]
    except WireError as error:
        raise InvalidRequest(f"{error.where or 'The question'} {error.reason}.") from None
    with store.reading() as tx:
        session = tx.session(code)
        consent = tx.consent_for_session(code)
        switches = tx.provider_switches(code) if session is not None else []
    session = require_live_session(session, code, now)
    if consent is None or not hmac.compare_digest(consent.receipt_id.encode("utf-8"), receipt_id.encode("utf-8")):
        raise NoConsent("No permission with this receipt is on record for this session.")
    return CONNECTION.parse({
        "code": code,
        "provider": session.provider,
        "join_url": session.join_url,
        "amendments": [amendment(s) for s in switches if s.after_consent],
    })
