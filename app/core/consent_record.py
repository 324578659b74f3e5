"""The consent record: the one schema both the launcher and the consent server use.

Modelled on the Kantara Consent Receipt and ISO/IEC TS 27560: who agreed, to which exact terms,
when, for which session, and what they were told. It deliberately holds friendly application
names and backup figures only: no process ids, paths, window titles or user names. Its wire form
is :data:`app.core.contract.CONSENT_RECORD`; ``from_dict`` parses with it and refuses any field it
does not know, so nothing extra can ride along to the server.
"""

from __future__ import annotations

import platform
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.core.contract import (
    ACKNOWLEDGEMENT_KEYS,
    APP_CATEGORIES,
    BACKUP_KINDS,
    BACKUP_VERDICTS,
    CONSENT_RECORD,
    OS_FAMILIES,
    RECORD_SCHEMA_VERSION,
)
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP
from app.core.utc_time import utc_now_iso
from app.core.wire import WireError

SCHEMA_VERSION = RECORD_SCHEMA_VERSION

# Each acknowledgement the customer ticks on the Consent page, with the words shown next to it.
ACKNOWLEDGEMENTS: dict[str, str] = {
    "terms_accepted": QT_TRANSLATE_NOOP(CONTEXT, "I have read and accept the remote support terms."),
    "screen_visible": QT_TRANSLATE_NOOP(
        CONTEXT, "I understand the technician will see and control my screen and may see my files."
    ),
    "backup_responsibility": QT_TRANSLATE_NOOP(CONTEXT, "I understand I am responsible for backing up my data."),
    "this_session_only": QT_TRANSLATE_NOOP(CONTEXT, "I give permission for this session only."),
}
REQUIRED_ACKNOWLEDGEMENTS = tuple(ACKNOWLEDGEMENTS)

# The record's public face; the vocabularies are the contract's, named here for the launcher's use.
__all__ = [
    "ACKNOWLEDGEMENTS", "ACKNOWLEDGEMENT_KEYS", "APP_CATEGORIES", "BACKUP_KINDS", "BACKUP_VERDICTS",
    "OS_FAMILIES", "REQUIRED_ACKNOWLEDGEMENTS", "SCHEMA_VERSION", "AppSummary", "BackupSummary",
    "ConsentRecord", "ConsentRecordError", "OpenAppsSummary", "Receipt", "TermsAccepted", "new_receipt_id",
    "os_family", "record_from_wire", "utc_now_iso",
]


def os_family(system: str | None = None) -> str:
    """This computer's OS family as the record names it (``platform.system()`` by default)."""
    system = (system or platform.system()).lower()
    return {"windows": "windows", "darwin": "macos", "linux": "linux"}.get(system, "other")


class ConsentRecordError(ValueError):
    """The record does not follow the schema; the message says which field and why."""


@dataclass(frozen=True)
class AppSummary:
    name: str
    category: str


@dataclass(frozen=True)
class OpenAppsSummary:
    left_open: tuple[AppSummary, ...] = ()
    closed: tuple[AppSummary, ...] = ()
    # False where the platform could not tell windows apart and the list came from processes.
    windows_listed: bool = True


@dataclass(frozen=True)
class BackupSummary:
    verdict: str
    kind: str
    age_seconds: int | None = None
    coverage: float | None = None
    risk_acknowledged: bool = False


@dataclass(frozen=True)
class TermsAccepted:
    id: str
    version: str
    sha256: str
    language: str


@dataclass(frozen=True)
class ConsentRecord:
    receipt_id: str
    session_code: str
    given_at: str
    name: str
    terms: TermsAccepted
    acknowledgements: dict[str, bool]
    open_apps: OpenAppsSummary
    backup: BackupSummary
    client_version: str
    os_family: str
    schema_version: int = field(default=SCHEMA_VERSION)

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, whose deep copy of every value was a
        # tenth of a consent's time on the server (issue 12); a test holds the two equal.
        apps, backup, terms = self.open_apps, self.backup, self.terms
        return {
            "receipt_id": self.receipt_id,
            "session_code": self.session_code,
            "given_at": self.given_at,
            "name": self.name,
            "terms": {"id": terms.id, "version": terms.version, "sha256": terms.sha256, "language": terms.language},
            "acknowledgements": dict(self.acknowledgements),
            "open_apps": {
                "left_open": [{"name": app.name, "category": app.category} for app in apps.left_open],
                "closed": [{"name": app.name, "category": app.category} for app in apps.closed],
                "windows_listed": apps.windows_listed,
            },
            "backup": {
                "verdict": backup.verdict,
                "kind": backup.kind,
                "age_seconds": backup.age_seconds,
                "coverage": backup.coverage,
                "risk_acknowledged": backup.risk_acknowledged,
            },
            "client_version": self.client_version,
            "os_family": self.os_family,
            "schema_version": self.schema_version,
        }

    @classmethod
    def from_dict(cls, data: Any) -> ConsentRecord:
        """Validate a record received as JSON; raise :class:`ConsentRecordError` if it is off."""
        return _parse_record(data)


@dataclass(frozen=True)
class Receipt:
    """A consent as the server recorded it: the record, and when the server stored it."""

    record: ConsentRecord
    received_at: str


def new_receipt_id() -> str:
    return str(uuid.uuid4())


# --- validation (the schema is app.core.contract.CONSENT_RECORD) -----------------------------


def _apps(items: list[dict[str, Any]]) -> tuple[AppSummary, ...]:
    return tuple(AppSummary(name=item["name"], category=item["category"]) for item in items)


def record_from_wire(data: dict[str, Any]) -> ConsentRecord:
    """The record from a dict that :data:`~app.core.contract.CONSENT_RECORD` (or ``RECEIPT``) parsed."""
    terms, apps, backup = data["terms"], data["open_apps"], data["backup"]
    return ConsentRecord(
        receipt_id=data["receipt_id"],
        session_code=data["session_code"],
        given_at=data["given_at"],
        name=data["name"].strip(),
        terms=TermsAccepted(**terms),
        acknowledgements=dict(data["acknowledgements"]),
        open_apps=OpenAppsSummary(
            left_open=_apps(apps["left_open"]),
            closed=_apps(apps["closed"]),
            windows_listed=apps["windows_listed"],
        ),
        backup=BackupSummary(**backup),
        client_version=data["client_version"],
        os_family=data["os_family"],
        schema_version=data["schema_version"],
    )


def _parse_record(data: Any) -> ConsentRecord:
    try:
        return record_from_wire(CONSENT_RECORD.parse(data))
    except WireError as error:
        where = error.where or "The consent record"
        raise ConsentRecordError(f"{where} {error.reason}.") from None
