"""The consent record: the one schema both the launcher and the consent server use.

Modelled on the Kantara Consent Receipt and ISO/IEC TS 27560: who agreed, to which exact terms,
when, for which session, and what they were told. It deliberately holds friendly application
names and backup figures only: no process ids, paths, window titles or user names. ``from_dict``
refuses any field it does not know, so nothing extra can ride along to the server.
"""

from __future__ import annotations

import platform
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP
from app.core.utc_time import utc_now_iso  # noqa: F401  (records are stamped by callers with it)

SCHEMA_VERSION = 1

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

APP_CATEGORIES = (
    "email",
    "browser",
    "password-manager",
    "finance",
    "messaging",
    "documents",
    "photos",
    "other",
)
BACKUP_VERDICTS = ("recent", "old", "incomplete", "none")
BACKUP_KINDS = (
    "folder",
    "file-history",
    "onedrive",
    "time-machine",
    "deja-dup",
    "restic",
    "borg",
    "none",
)
OS_FAMILIES = ("windows", "macos", "linux", "other")


def os_family(system: str | None = None) -> str:
    """This computer's OS family as the record names it (``platform.system()`` by default)."""
    system = (system or platform.system()).lower()
    return {"windows": "windows", "darwin": "macos", "linux": "linux"}.get(system, "other")

_CODE = re.compile(r"[0-9]{9}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_NAME = 120
_MAX_APPS = 200


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
        data = asdict(self)
        data["open_apps"]["left_open"] = list(data["open_apps"]["left_open"])
        data["open_apps"]["closed"] = list(data["open_apps"]["closed"])
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ConsentRecord:
        """Validate a record received as JSON; raise :class:`ConsentRecordError` if it is off."""
        return _parse_record(data)


def new_receipt_id() -> str:
    return str(uuid.uuid4())


# --- validation -------------------------------------------------------------------------------


def _object(data: Any, where: str, keys: set[str], optional: frozenset[str] | set[str] = frozenset()) -> dict:
    if not isinstance(data, dict):
        raise ConsentRecordError(f"{where} must be an object.")
    unknown = set(data) - keys - optional
    if unknown:
        raise ConsentRecordError(f"{where} has fields the consent record does not allow: {', '.join(sorted(unknown))}.")
    missing = keys - set(data)
    if missing:
        raise ConsentRecordError(f"{where} is missing: {', '.join(sorted(missing))}.")
    return data


def _text(value: Any, where: str, max_len: int = _MAX_NAME, pattern: re.Pattern | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConsentRecordError(f"{where} must be non-empty text.")
    if len(value) > max_len:
        raise ConsentRecordError(f"{where} is longer than {max_len} characters.")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConsentRecordError(f"{where} contains control characters.")
    if pattern is not None and pattern.fullmatch(value) is None:
        raise ConsentRecordError(f"{where} is not in the expected form.")
    return value


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConsentRecordError(f"{where} must be one of: {', '.join(choices)}.")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConsentRecordError(f"{where} must be true or false.")
    return value


def _apps(value: Any, where: str) -> tuple[AppSummary, ...]:
    if not isinstance(value, list) or len(value) > _MAX_APPS:
        raise ConsentRecordError(f"{where} must be a list of at most {_MAX_APPS} applications.")
    apps = []
    for i, item in enumerate(value):
        item = _object(item, f"{where}[{i}]", {"name", "category"})
        apps.append(
            AppSummary(
                name=_text(item["name"], f"{where}[{i}].name", 80),
                category=_choice(item["category"], f"{where}[{i}].category", APP_CATEGORIES),
            )
        )
    return tuple(apps)


def _parse_record(data: Any) -> ConsentRecord:
    top = _object(
        data,
        "The consent record",
        {
            "receipt_id", "session_code", "given_at", "name", "terms", "acknowledgements",
            "open_apps", "backup", "client_version", "os_family", "schema_version",
        },
    )
    if top["schema_version"] != SCHEMA_VERSION:
        raise ConsentRecordError(f"schema_version must be {SCHEMA_VERSION}.")
    receipt_id = _text(top["receipt_id"], "receipt_id", 36)
    try:
        if str(uuid.UUID(receipt_id)) != receipt_id:
            raise ValueError
    except ValueError:
        raise ConsentRecordError("receipt_id must be a UUID in its canonical lower-case form.") from None
    given_at = _text(top["given_at"], "given_at", 40)
    try:
        when = datetime.fromisoformat(given_at.replace("Z", "+00:00"))
    except ValueError:
        raise ConsentRecordError("given_at must be an ISO 8601 time.") from None
    offset = when.utcoffset()
    if offset is None or offset.total_seconds() != 0:
        raise ConsentRecordError("given_at must be in UTC.")

    terms = _object(top["terms"], "terms", {"id", "version", "sha256", "language"})
    acks = top["acknowledgements"]
    if not isinstance(acks, dict) or set(acks) != set(ACKNOWLEDGEMENTS):
        raise ConsentRecordError(f"acknowledgements must hold exactly: {', '.join(ACKNOWLEDGEMENTS)}.")
    for key, value in acks.items():
        _bool(value, f"acknowledgements.{key}")
    apps = _object(top["open_apps"], "open_apps", {"left_open", "closed", "windows_listed"})
    backup = _object(
        top["backup"], "backup", {"verdict", "kind", "age_seconds", "coverage", "risk_acknowledged"}
    )
    age = backup["age_seconds"]
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 0):
        raise ConsentRecordError("backup.age_seconds must be a whole number of seconds, or null.")
    coverage = backup["coverage"]
    if coverage is not None and (
        not isinstance(coverage, (int, float)) or isinstance(coverage, bool) or not 0 <= coverage <= 1
    ):
        raise ConsentRecordError("backup.coverage must be a fraction between 0 and 1, or null.")

    return ConsentRecord(
        receipt_id=receipt_id,
        session_code=_text(top["session_code"], "session_code", 9, _CODE),
        given_at=given_at,
        name=_text(top["name"], "name").strip(),
        terms=TermsAccepted(
            id=_text(terms["id"], "terms.id"),
            version=_text(terms["version"], "terms.version", 40),
            sha256=_text(terms["sha256"], "terms.sha256", 64, _SHA256),
            language=_text(terms["language"], "terms.language", 16),
        ),
        acknowledgements=dict(acks),
        open_apps=OpenAppsSummary(
            left_open=_apps(apps["left_open"], "open_apps.left_open"),
            closed=_apps(apps["closed"], "open_apps.closed"),
            windows_listed=_bool(apps["windows_listed"], "open_apps.windows_listed"),
        ),
        backup=BackupSummary(
            verdict=_choice(backup["verdict"], "backup.verdict", BACKUP_VERDICTS),
            kind=_choice(backup["kind"], "backup.kind", BACKUP_KINDS),
            age_seconds=age,
            coverage=None if coverage is None else float(coverage),
            risk_acknowledged=_bool(backup["risk_acknowledged"], "backup.risk_acknowledged"),
        ),
        client_version=_text(top["client_version"], "client_version", 40),
        os_family=_choice(top["os_family"], "os_family", OS_FAMILIES),
    )
