"""How long consents are kept (GDPR's storage limitation), and a customer's copy of theirs.

A consent is evidence that the customer allowed one support session; it is needed while a
question about that session can still come up, and not for ever. ``prune`` removes every consent
received more than the retention period ago together with its session, and every session that
ended that long ago without one. Whatever other tables hang off a session goes with it (their
foreign keys cascade). The period is the operator's choice (``--older-than DAYS``, or
``PHONETEX_RETENTION_DAYS`` for a timer that runs it daily).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.brand import Brand
from app.core.consent_record import ConsentRecord, ConsentRecordError, Receipt
from app.core.user_files import receipt_text
from app.core.utc_time import iso_utc, utc_now
from server.storage import Store

RETENTION_ENV = "PHONETEX_RETENTION_DAYS"
# Longer than any session lasts (a week), so a consent is never removed while its session runs.
MIN_RETENTION_DAYS = 8


class RetentionError(ValueError):
    """A retention period that cannot be used; the message says what can."""


@dataclass(frozen=True)
class Pruned:
    cutoff: str
    sessions: int
    consents: int
    dry_run: bool

    def describe(self) -> str:
        verb = "Would remove" if self.dry_run else "Removed"
        return (
            f"{verb} {self.consents} consent(s) and {self.sessions} session(s) from before {self.cutoff}."
        )


class _DryRun(Exception):
    """Raised inside the transaction to roll back what a dry run did."""


def retention_days(value: str | int) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise RetentionError(f"The retention period must be a whole number of days, not {value!r}.") from None
    if days < MIN_RETENTION_DAYS:
        raise RetentionError(
            f"The retention period must be at least {MIN_RETENTION_DAYS} days (a session can last a week), not {days}."
        )
    return days


def prune(store: Store, older_than_days: int, *, now: datetime | None = None, dry_run: bool = False) -> Pruned:
    """Remove what is past the retention period, in one transaction; ``dry_run`` counts and keeps it."""
    cutoff = iso_utc((now or utc_now()) - timedelta(days=retention_days(older_than_days)))
    counts: tuple[int, int] = (0, 0)
    try:
        with store.transaction() as tx:
            counts = tx.remove_before(cutoff)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return Pruned(cutoff=cutoff, sessions=counts[0], consents=counts[1], dry_run=dry_run)


@dataclass(frozen=True)
class ExportedConsent:
    """One customer's stored consent: what they were answered, and the receipt they were given."""

    answer: dict[str, Any]
    text: str


class NoSuchReceipt(LookupError):
    """No consent with that receipt id is stored; the message says why that may be."""


def export_consent(store: Store, receipt_id: str, brand: Brand) -> ExportedConsent:
    try:
        receipt_id = str(uuid.UUID(receipt_id.strip()))
    except ValueError:
        raise NoSuchReceipt(
            f"{receipt_id!r} is not a receipt id; it looks like 0b6f3c1e-8a4d-4f2a-9c1e-2d5b7a9e4f10 "
            "(the customer's receipt shows it)."
        ) from None
    with store.reading() as tx:
        consent = tx.consent_by_receipt(receipt_id)
    if consent is None:
        raise NoSuchReceipt(
            f"No consent with receipt id {receipt_id} is stored here; it may have been removed after "
            "the retention period, or given to another server."
        )
    stored = json.loads(consent.answer_json)
    answer = {"reference": stored["reference"], "receipt": stored["receipt"]}
    try:
        record = ConsentRecord.from_dict(json.loads(consent.record_json))
    except ConsentRecordError as exc:  # stored by a release whose record this one no longer reads
        text = f"(No readable receipt: the stored record does not fit this server's schema: {exc})\n"
    else:
        text = receipt_text(Receipt(record, consent.received_at), consent.reference, brand)
    return ExportedConsent(answer=answer, text=text)
