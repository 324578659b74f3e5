"""The customer's steps as the launcher reports them, and what a session is at now.

A report is stored once per event id (a repeat answers as the first did), only for a session
the customer may still act on, and at most :data:`MAX_STEPS_PER_SESSION` per session: the
launcher makes about ten, so more is a loop or an abuse and is refused rather than kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.step_event import StepEvent, StepEventError
from app.core.utc_time import iso_utc, utc_now
from server.domain.refusals import InvalidRequest, TooManySteps
from server.domain.sessions import is_expired, require_live_session
from server.storage import ConsentRow, ProviderSwitchRow, SessionRow, StepEventRow, Store
from server.storage.interface import WithdrawalRow

MAX_STEPS_PER_SESSION = 200




class InvalidStep(InvalidRequest):
    """A step report off the schema of app.core.step_event."""


def parse_step(data: Any) -> StepEvent:
    try:
        return StepEvent.from_dict(data)
    except StepEventError as exc:
        raise InvalidStep(str(exc)) from None


def record_step(store: Store, code: str, event: StepEvent, now: datetime | None = None) -> bool:
    """Store ``event`` for session ``code``; False if this event id was stored before."""
    now = now or utc_now()
    with store.transaction() as tx:
        earlier = tx.step_event(event.event_id)
        if earlier is not None:
            if earlier.session_code != code:
                raise InvalidStep("This event id belongs to another session's report.")
            return False
        require_live_session(tx.session(code), code, now)
        if tx.step_event_count(code) >= MAX_STEPS_PER_SESSION:
            raise TooManySteps("This session has had more step reports than any journey makes; later ones are not kept.")
        tx.insert_step_event(
            StepEventRow(
                event_id=event.event_id,
                session_code=code,
                step=event.step,
                details_json=json.dumps(event.details, ensure_ascii=False, separators=(",", ":")),
                received_at=iso_utc(now),
            )
        )
    return True


# What a session is at, for the console's list and page. Later states win.
STATES = {
    "open": "Open",
    "waiting": "Waiting for consent",
    "consented": "Consented",
    "connected": "Connected",
    "ended": "Ended",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class SessionFacts:
    """Everything the console shows of one session, read in one go."""

    session: SessionRow
    customer_name: str | None
    customer_email: str | None
    technician_id: str | None
    steps: tuple[StepEventRow, ...]
    consent: ConsentRow | None
    switches: tuple[ProviderSwitchRow, ...] = ()
    # The consent's end as the launcher reported it (server.domain.withdrawals), if it has ended.
    withdrawal: WithdrawalRow | None = None

    def step_names(self) -> set[str]:
        return {step.step for step in self.steps}


def session_state(
    session: SessionRow, step_names: set[str], has_consent: bool, now: datetime | None = None,
    withdrawal_reason: str | None = None,
) -> str:
    if session.status == "cancelled":
        return "cancelled"
    if withdrawal_reason is not None:
        return "withdrawn" if withdrawal_reason == "customer" else "ended"
    if has_consent or session.status == "consented":
        if "ended" in step_names:
            return "ended"
        if "join_link_opened" in step_names:
            return "connected"
        return "consented"
    if is_expired(session, now):
        return "expired"
    if step_names:
        return "waiting" if "ended" not in step_names else "ended"
    return "open"
