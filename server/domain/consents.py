"""Recording a customer's consent: the rules, in the order the API contract implies them.

The answer to a recorded consent is serialised once and stored; a repeat of the same receipt id
returns those stored bytes, so a launcher that retries after a lost connection gets exactly the
reference and join link it would have had.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.consent_record import REQUIRED_ACKNOWLEDGEMENTS, ConsentRecord, ConsentRecordError, record_from_wire
from app.core.contract import CONSENT_ANSWER, CONSENT_READ_BACK
from app.core.read_back import checklist
from app.core.session_code import format_session_code
from app.core.terms import Terms
from app.core.utc_time import iso_utc, utc_now
from server.domain.codes import new_reference
from server.domain.refusals import (
    AlreadyConsented,
    InvalidRecord,
    NoConsent,
    ReceiptReused,
    Refusal,
    TermsOutdated,
)
from server.domain.sessions import require_live_session, unknown_code
from server.storage import ConsentRow, Store, StoreError, Transaction

# A handful of tries is plenty: 887 million references.
_MAX_REFERENCE_TRIES = 20


def _record(data: Any, code: str) -> ConsentRecord:
    try:
        record = ConsentRecord.from_dict(data)
    except ConsentRecordError as exc:
        raise InvalidRecord(str(exc)) from None
    if record.session_code != code:
        raise InvalidRecord(
            f"The consent record is for session {format_session_code(record.session_code)}, "
            f"but was sent to session {format_session_code(code)}.",
        )
    # The schema only says each acknowledgement is true or false; consent needs every one true.
    unticked = [key for key in REQUIRED_ACKNOWLEDGEMENTS if not record.acknowledgements[key]]
    if unticked:
        raise InvalidRecord(
            f"Permission needs every acknowledgement; not confirmed: {', '.join(unticked)}.",
        )
    return record


def _terms_refusal(record: ConsentRecord, terms: Terms) -> Refusal | None:
    accepted = record.terms
    if (accepted.id, accepted.version, accepted.sha256) == (terms.id, terms.version, terms.sha256):
        return None
    return TermsOutdated(
        f"The terms have changed since they were shown. Please read the current terms "
        f"(version {terms.version}) and give permission again.",
        current_version=terms.version,
    )


@dataclass(frozen=True)
class ConsentToStore:
    """A consent record checked against the schema and its path, and serialised, before it
    waits for the database: the work that needs no database is done once, outside the write."""

    code: str
    receipt_id: str
    stored: dict[str, Any]
    record_json: str
    # Raised only after the receipt and session checks: a retry must still get its stored answer.
    terms_refusal: Refusal | None


def prepare_consent(code: str, data: Any, *, terms: Terms) -> ConsentToStore:
    """Validate ``data`` for session ``code``; raises :class:`InvalidRecord` if it is off."""
    record = _record(data, code)
    stored = record.to_dict()
    return ConsentToStore(
        code=code,
        receipt_id=record.receipt_id,
        stored=stored,
        record_json=json.dumps(stored, ensure_ascii=False, separators=(",", ":")),
        terms_refusal=_terms_refusal(record, terms),
    )


def store_consent(tx: Transaction, consent: ConsentToStore, now: datetime | None = None) -> bytes:
    """Write one prepared consent inside ``tx``; return the ``201`` answer's bytes.

    Raises the :class:`~server.domain.refusals.Refusal` the contract names, before writing anything.
    """
    code = consent.code
    earlier = tx.consent_by_receipt(consent.receipt_id)
    if earlier is not None:
        if earlier.session_code != code:
            raise ReceiptReused("This receipt id already belongs to another session's consent. Please start again.")
        if earlier.record_json != consent.record_json:
            # A retry is the very record again; anything else under its id is not a retry.
            raise ReceiptReused("This receipt id already belongs to a different consent. Please start again.")
        # Checked before expiry and terms: a retry must not fail because time moved on.
        return earlier.answer_json.encode("utf-8")
    found = tx.session(code)
    # A session that has its consent says so even once it has expired: "already given" is what
    # happened, and what the customer is told.
    if found is not None and tx.consent_for_session(code) is not None:
        raise AlreadyConsented(
            "Permission for this session has already been given. "
            "If you need to start again, ask your technician for a new session code.",
        )
    session = require_live_session(found, code, now)
    if consent.terms_refusal is not None:
        raise consent.terms_refusal
    received_at = iso_utc(now or utc_now())
    reference = _unused_reference(tx)
    # Checked against the contract once, here: a repeat gets these very bytes back.
    answer = CONSENT_ANSWER.parse(
        {
            "reference": reference,
            "receipt": {**consent.stored, "received_at": received_at},
            "join_url": session.join_url,
            "provider": session.provider,
        }
    )
    answer_json = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    tx.insert_consent(
        ConsentRow(
            session_code=code,
            receipt_id=consent.receipt_id,
            reference=reference,
            record_json=consent.record_json,
            received_at=received_at,
            answer_json=answer_json,
        )
    )
    tx.set_status(code, "consented")
    return answer_json.encode("utf-8")


def _unused_reference(tx: Transaction) -> str:
    for _ in range(_MAX_REFERENCE_TRIES):
        reference = new_reference()
        if not tx.reference_in_use(reference):
            return reference
    raise StoreError("Could not find an unused reference code.")


def record_consent(
    store: Store, code: str, data: Any, *, terms: Terms, now: datetime | None = None
) -> bytes:
    """Store the consent in ``data`` for session ``code`` in a transaction of its own; return the
    ``201`` answer's bytes. Raises the refusal the contract names."""
    consent = prepare_consent(code, data, terms=terms)
    with store.transaction() as tx:
        return store_consent(tx, consent, now)


def record_consents(
    store: Store, consents: Sequence[ConsentToStore], now: datetime | None = None
) -> list[bytes | Exception]:
    """Store many prepared consents in one transaction (one fsync); each gets its answer's bytes
    or the exception that refused it, exactly as if each had been written on its own in order."""
    return store.write_each(consents, lambda tx, consent: store_consent(tx, consent, now))


def consent_answer(store: Store, code: str) -> dict[str, Any]:
    """What a technician reads back: the reference and the receipt the customer was given."""
    with store.reading() as tx:
        session = tx.session(code)
        consent = tx.consent_for_session(code)
    if session is None:
        raise unknown_code(code)
    if consent is None:
        raise NoConsent("No permission has been recorded for this session yet.")
    stored = json.loads(consent.answer_json)
    record = record_from_wire(stored["receipt"])
    # The same words as the customer's checklist, so either side can read them to the other.
    lines = [str(item) for item in checklist(record.open_apps, record.backup)]
    return CONSENT_READ_BACK.parse({"reference": stored["reference"], "receipt": stored["receipt"], "checklist": lines})
