"""After a consented session: ask the provider's reports when it really ran, and keep that beside
the consent (the consent record's "what the permission was used for").

A session the provider has no report of by the time it is over is flagged ``never_happened``; one
that started before the consent was recorded is flagged ``started_before_consent``. Both are for
the technicians (and the console): the customer's permission was not what covered that session.

The job is bounded: a few sessions per round, each asked at growing intervals, and given up after
:data:`MAX_ATTEMPTS` (a provider failure then leaves the report ``failed`` with the reason).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.utc_time import iso_utc, parse_iso_utc, utc_now
from server.domain.provider_sessions import ProviderClients
from server.domain.refusals import ProviderNotConfigured
from server.providers.errors import ProviderError
from server.providers.model import SessionReport
from server.storage import SessionReportRow, SessionRow, Store
from server.storage.runner import StoreRun

log = logging.getLogger("server.reports")

# Providers list a session once it has ended; the first question waits a little after consent.
FIRST_CHECK_AFTER = timedelta(minutes=10)
BACKOFF_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 10
# A session may run on past its code's expiry; only after this is "no report" taken as "never happened".
NEVER_HAPPENED_AFTER = timedelta(hours=12)
# Reports are asked for from a little before the session was opened (clocks differ).
WINDOW_SLACK = timedelta(minutes=10)
ROUND_SIZE = 20


@dataclass(frozen=True)
class _Due:
    session: SessionRow
    consent_at: datetime
    existing: SessionReportRow | None


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_CAP, FIRST_CHECK_AFTER * 2 ** max(0, attempts - 1))


def _due(store: Store, now: datetime, limit: int) -> list[_Due]:
    due = []
    with store.reading() as tx:
        for code in tx.sessions_awaiting_report(iso_utc(now), limit):
            session, consent = tx.session(code), tx.consent_for_session(code)
            if session is None or consent is None or session.provider_session_id is None:
                continue
            due.append(_Due(session, parse_iso_utc(consent.received_at), tx.session_report(code, session.provider_session_id)))
    return due


async def _ask(clients: ProviderClients, session: SessionRow, now: datetime) -> SessionReport | None:
    assert session.provider_session_id is not None
    client = clients.teamviewer() if session.provider == "teamviewer" else clients.zoho()
    since = parse_iso_utc(session.created_at) - WINDOW_SLACK
    return await client.session_report(session.provider_session_id, since, now)


def _row(item: _Due, now: datetime, **fields: object) -> SessionReportRow:
    session = item.session
    assert session.provider_session_id is not None
    base = {
        "session_code": session.code,
        "provider": session.provider,
        "provider_session_id": session.provider_session_id,
        "state": "pending",
        "attempts": item.existing.attempts if item.existing else 0,
        "next_check_at": None,
        "started_at": None,
        "ended_at": None,
        "duration_seconds": None,
        "flag": None,
        "detail": None,
        "updated_at": iso_utc(now),
    }
    base.update(fields)
    return SessionReportRow(**base)  # type: ignore[arg-type]


def _settle(item: _Due, now: datetime, report: SessionReport | None, error: str | None) -> SessionReportRow:
    attempts = (item.existing.attempts if item.existing else 0) + 1
    if report is not None:
        return _row(
            item,
            now,
            state="found",
            attempts=attempts,
            started_at=iso_utc(report.started_at),
            ended_at=None if report.ended_at is None else iso_utc(report.ended_at),
            duration_seconds=report.duration_seconds,
            flag="started_before_consent" if report.started_at < item.consent_at else None,
        )
    over = now >= parse_iso_utc(item.session.expires_at) + NEVER_HAPPENED_AFTER
    if error is None and (over or attempts >= MAX_ATTEMPTS):
        return _row(item, now, state="missing", attempts=attempts, flag="never_happened")
    if error is not None and attempts >= MAX_ATTEMPTS:
        return _row(item, now, state="failed", attempts=attempts, detail=error)
    return _row(item, now, attempts=attempts, next_check_at=iso_utc(now + _backoff(attempts)), detail=error)


def _put(store: Store, row: SessionReportRow) -> None:
    with store.transaction() as tx:
        tx.put_session_report(row)


async def check_reports(
    store: Store, clients: ProviderClients, now: datetime | None = None, limit: int = ROUND_SIZE,
    *, run: StoreRun = asyncio.to_thread,
) -> list[SessionReportRow]:
    """One round: every due session's report asked once; what was stored, in order."""
    now = now or utc_now()
    stored = []
    # The store is used through ``run`` (the server's store thread): this runs on its event loop.
    for item in await run(_due, store, now, limit):
        if item.existing is None and now < item.consent_at + FIRST_CHECK_AFTER:
            # Not yet: the session has barely started. Come back when a report can exist.
            row = _row(item, now, next_check_at=iso_utc(item.consent_at + FIRST_CHECK_AFTER))
        else:
            report, error = None, None
            try:
                report = await _ask(clients, item.session, now)
            except (ProviderError, ProviderNotConfigured) as exc:
                error = str(exc)
                log.warning("report of session %s: %s", item.session.code, error)
            row = _settle(item, now, report, error)
        await run(_put, store, row)
        stored.append(row)
    return stored


async def report_loop(
    store: Store, clients: ProviderClients, interval: float, stop: asyncio.Event, *, run: StoreRun = asyncio.to_thread
) -> None:
    """Run :func:`check_reports` every ``interval`` seconds until ``stop`` is set."""
    while not stop.is_set():
        try:
            await check_reports(store, clients, run=run)
        except Exception:
            log.exception("the session report round failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass
