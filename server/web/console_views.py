"""What the console's pages say about a session: plain values for the templates, in English.

The checklist comes from :func:`app.core.read_back.checklist_for_record`, the function the
customer's Connect page uses, applied to the stored record: the same sentences in the same order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.core.consent_record import ACKNOWLEDGEMENTS, ConsentRecord
from app.core.contract import STEPS
from app.core.read_back import app_names, checklist_for_record, describe_backup
from app.core.session_code import format_session_code
from app.core.utc_time import parse_iso_utc
from app.core.verification_words import spoken_form
from server.domain.console_sessions import CONSOLE_PROVIDERS
from server.domain.step_events import STATES, SessionFacts, session_state
from server.storage import StepEventRow
from server.storage.interface import WithdrawalRow

_BACKUP_VERDICTS = {
    "recent": "a recent backup",
    "old": "a backup, but an old one",
    "incomplete": "a backup that misses recent files",
    "none": "no backup",
}
_BACKUP_KINDS = {
    "folder": "a folder or drive they chose",
    "file-history": "File History",
    "onedrive": "OneDrive folder backup",
    "time-machine": "Time Machine",
    "deja-dup": "Déjà Dup",
    "restic": "restic",
    "borg": "Borg",
    "none": "nothing",
}
_PROVIDERS = {**CONSOLE_PROVIDERS, "demo": "the demo join page"}
# Where the consent sits among the steps when both happen within the same second.
_RANK: dict[str, float] = {name: rank for rank, name in enumerate(STEPS)}
_CONSENT_RANK = _RANK["backup_checked"] + 0.5


def when(iso: str) -> str:
    moment = parse_iso_utc(iso)
    return f"{moment:%Y-%m-%d %H:%M}"


def _step_text(step: StepEventRow, code: str) -> str:
    details: dict[str, Any] = json.loads(step.details_json)
    name = step.step
    if name == "launcher_started":
        return f"Started the launcher with code {format_session_code(code)} and saw who is helping."
    if name == "terms_accepted":
        return "Read the terms to the end and accepted them."
    if name == "open_apps_checked":
        left = details.get("left_open", [])
        if not left:
            return "Went on from Open apps with no personal or confidential applications left open."
        names = ", ".join(sorted({app["name"] for app in left}))
        count = len(left)
        return f"Went on from Open apps leaving {count} flagged application{'s' if count != 1 else ''} open: {names}."
    if name == "backup_checked":
        verdict = _BACKUP_VERDICTS.get(details.get("verdict", ""), "an unknown answer")
        kind = _BACKUP_KINDS.get(details.get("kind", ""), "")
        source = f" (checked: {kind})" if kind and details.get("kind") != "none" else ""
        return f"Went on from Backup with {verdict}{source}."
    if name == "join_link_opened":
        provider = _PROVIDERS.get(details.get("provider", ""), "the provider")
        if details.get("browser_opened"):
            return f"The join link for {provider} opened in their browser."
        return f"Their browser did not open the join link for {provider}; they were shown it to copy."
    if name == "provider_switched":
        return f"Switched to {_PROVIDERS.get(details.get('provider', ''), 'another provider')}."
    if name == "ended":
        return "Closed the launcher."
    return name


def _clock(iso: str) -> str:
    return f"{parse_iso_utc(iso):%H:%M:%S}"


@dataclass(frozen=True)
class StepLine:
    name: str
    at: str
    time: str
    text: str


def _steps(facts: SessionFacts) -> list[StepLine]:
    code = facts.session.code
    lines: list[tuple[str, float, StepLine]] = [
        (step.received_at, _RANK.get(step.step, 99.0), StepLine(step.step, step.received_at, _clock(step.received_at), _step_text(step, code)))
        for step in facts.steps
    ]
    for switch in facts.switches:
        text = (
            f"{switch.technician} switched the session from {_PROVIDERS.get(switch.from_provider, switch.from_provider)} "
            f"to {_PROVIDERS.get(switch.to_provider, switch.to_provider)}"
            + (" (an amendment to the consent)." if switch.after_consent else ".")
        )
        lines.append((switch.switched_at, 99.5, StepLine("switched_by_technician", switch.switched_at, _clock(switch.switched_at), text)))
    if facts.consent is not None:
        at = facts.consent.received_at
        text = f"Gave permission: reference {facts.consent.reference}."
        lines.append((at, _CONSENT_RANK, StepLine("consent_recorded", at, _clock(at), text)))
    # Stable: steps of the same second keep the order they were stored in, the consent in its place.
    lines.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, line in lines]


def consent_view(facts: SessionFacts) -> dict[str, Any] | None:
    if facts.consent is None:
        return None
    record = ConsentRecord.from_dict(json.loads(facts.consent.record_json))
    return {
        "reference": facts.consent.reference,
        "name": record.name,
        "time": when(facts.consent.received_at),
        "checklist": [str(item) for item in checklist_for_record(record)],
    }


def _withdrawal_text(withdrawal: WithdrawalRow | None) -> str | None:
    if withdrawal is None:
        return None
    at = when(withdrawal.withdrawn_at)
    if withdrawal.reason == "customer":
        return f"The customer pressed End support now at {at} UTC: their permission is withdrawn."
    return f"The support program ended at {at} UTC; the launcher recorded the end of the session."


def live_version(facts: SessionFacts, state: str) -> str:
    """Changes whenever the live part of the session page would change."""
    return f"{len(facts.steps)}-{int(facts.consent is not None)}-{len(facts.switches)}-{state}-{facts.session.provider}"


def session_view(facts: SessionFacts, *, company: str, words: tuple[str, ...], customer_link: str) -> dict[str, Any]:
    session = facts.session
    withdrawal = facts.withdrawal
    state = session_state(
        session, {step.step for step in facts.steps}, facts.consent is not None,
        withdrawal_reason=withdrawal.reason if withdrawal is not None else None,
    )
    grouped = format_session_code(session.code)
    customer = facts.customer_name or ""
    if facts.customer_email:
        customer = f"{customer} <{facts.customer_email}>".strip()
    return {
        "code": session.code,
        "grouped_code": grouped,
        "words": list(words),
        "line_to_read": f"Your screen shows three words; I will read them to you: {spoken_form(words)}.",
        "customer_link": customer_link,
        "ticket": session.ticket,
        "customer": customer,
        "technician": session.technician,
        "provider_label": CONSOLE_PROVIDERS.get(session.provider, session.provider),
        "created": when(session.created_at),
        "expires": when(session.expires_at),
        "state": state,
        "state_label": STATES[state],
        "steps": _steps(facts),
        "consent": consent_view(facts),
        "withdrawal": _withdrawal_text(withdrawal),
        "can_cancel": session.status == "open" and state != "expired",
        "can_switch": session.provider != "teamviewer" and session.status != "cancelled" and state != "expired",
        # The technician's own link into the provider's session (made by the provider's API): a
        # credential shown only to technicians who may see the session.
        "technician_url": session.technician_url,
        "version": live_version(facts, state),
        "company": company,
    }


def receipt_view(facts: SessionFacts) -> dict[str, Any]:
    assert facts.consent is not None
    record = ConsentRecord.from_dict(json.loads(facts.consent.record_json))
    return {
        "code": facts.session.code,
        "grouped_code": format_session_code(facts.session.code),
        "reference": facts.consent.reference,
        "ticket": facts.session.ticket,
        "technician": facts.session.technician,
        "name": record.name,
        "given_at": when(record.given_at),
        "received_at": when(facts.consent.received_at),
        "terms": f"{record.terms.id}, version {record.terms.version} ({record.terms.language})",
        "terms_sha256": record.terms.sha256,
        "left_open": ", ".join(app_names(record.open_apps.left_open)) or "none",
        "closed": ", ".join(app_names(record.open_apps.closed)) or "none",
        "backup": str(describe_backup(record.backup)),
        "client": f"version {record.client_version} on {record.os_family}",
        "receipt_id": record.receipt_id,
        "confirmed": [text for key, text in ACKNOWLEDGEMENTS.items() if record.acknowledgements.get(key)],
        "checklist": [str(item) for item in checklist_for_record(record)],
    }


def receipt_json(facts: SessionFacts) -> dict[str, Any]:
    """The receipt as the server holds it: the customer's record as received, when it was
    received, the reference, and who opened the session."""
    assert facts.consent is not None
    answer = json.loads(facts.consent.answer_json)
    return {
        "reference": facts.consent.reference,
        "session_code": facts.session.code,
        "ticket": facts.session.ticket,
        "technician": facts.session.technician,
        "receipt": answer["receipt"],
    }
