"""A consent already given, kept on disk until the server's answer to it is safe, so no customer
is stranded by a crash between "Give permission" and the answer.

Two kinds of file, both keyed by the session code, in the launcher's platformdirs state folder
(readable by the customer alone), both holding only the consent record (what the server stores:
no paths, no window titles) and the session's expiry:

- ``journal/consent-<code>.json``: written (write, fsync, rename) *before* the record is sent.
  Until the answer is stored, a start with the same code on this computer re-sends this very
  record (same receipt id), and the server answers it like the first time.
- ``receipts/consent-<code>.json``: the stored receipt, written once the server answered (its
  reference and ``received_at`` beside the record); the journal entry is removed then. A later
  start with the same code re-sends the record and so finds its way back to the join link.

Neither is a permission for later: it is a consent already given for this one session, waiting for
(or holding) its acknowledgement. Both are ignored and deleted once the session has expired, and
never used for another code. All of this runs in workers, never on the GUI thread.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.consent_record import ConsentRecord, ConsentRecordError
from app.core.session_code import SessionCodeError, parse_session_code
from app.core.utc_time import parse_iso_utc, utc_now

log = logging.getLogger(__name__)

JOURNAL_FOLDER = "journal"
RECEIPTS_FOLDER = "receipts"
FORMAT = 1


@dataclass(frozen=True)
class KeptConsent:
    """A consent found on disk for a session code: the record to send again, and what the server
    answered to it before, if the answer was stored."""

    record: ConsentRecord
    expires_at: str
    reference: str | None = None
    received_at: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.reference is not None


class ConsentJournal:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)

    def journal_path(self, code: str) -> Path:
        return self.state_dir / JOURNAL_FOLDER / f"consent-{parse_session_code(code)}.json"

    def receipt_path(self, code: str) -> Path:
        return self.state_dir / RECEIPTS_FOLDER / f"consent-{parse_session_code(code)}.json"

    # --- writing ---------------------------------------------------------------------------

    def keep(self, record: ConsentRecord, expires_at: str) -> Path:
        """Before sending: the record, durably on disk (it survives a power cut once this returns)."""
        return _write_json(
            self.journal_path(record.session_code),
            {"format": FORMAT, "expires_at": expires_at, "record": record.to_dict()},
        )

    def acknowledge(self, record: ConsentRecord, expires_at: str, reference: str, received_at: str | None) -> Path:
        """The server answered: store the receipt, then drop the journal entry."""
        path = _write_json(
            self.receipt_path(record.session_code),
            {
                "format": FORMAT,
                "expires_at": expires_at,
                "record": record.to_dict(),
                "reference": reference,
                "received_at": received_at,
            },
        )
        self.journal_path(record.session_code).unlink(missing_ok=True)
        return path

    # --- reading ---------------------------------------------------------------------------

    def find(self, code: str, now: datetime | None = None) -> KeptConsent | None:
        """The consent kept for ``code``: its stored receipt, else its journal entry, else None.

        Entries past the session's expiry, unreadable ones and ones for another code are deleted.
        """
        now = now or utc_now()
        found = None
        for path in (self.receipt_path(code), self.journal_path(code)):
            kept = _read(path, parse_session_code(code), now)
            if kept is not None and found is None:
                found = kept
        return found

    def forget_expired(self, now: datetime | None = None) -> None:
        """Delete every entry whose session has expired (the launcher calls this at start)."""
        now = now or utc_now()
        for folder in (JOURNAL_FOLDER, RECEIPTS_FOLDER):
            for path in sorted((self.state_dir / folder).glob("consent-*.json")):
                code = path.stem.removeprefix("consent-")
                try:
                    _read(path, parse_session_code(code), now)
                except SessionCodeError:
                    continue


def _read(path: Path, code: str, now: datetime) -> KeptConsent | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("ignoring an unreadable consent journal entry %s: %s", path.name, error)
        _remove(path)
        return None
    try:
        kept = _parse(data)
    except (ConsentRecordError, KeyError, TypeError, ValueError) as error:
        log.warning("ignoring a consent journal entry %s that does not hold a consent: %s", path.name, error)
        _remove(path)
        return None
    if kept.record.session_code != code:
        _remove(path)  # never used for another code
        return None
    if now >= parse_iso_utc(kept.expires_at):
        _remove(path)  # the session is over: the entry can help no one
        return None
    return kept


def _parse(data: Any) -> KeptConsent:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a consent journal entry of this launcher")
    expires_at = str(data["expires_at"])
    parse_iso_utc(expires_at)
    reference = data.get("reference")
    received_at = data.get("received_at")
    return KeptConsent(
        record=ConsentRecord.from_dict(data["record"]),
        expires_at=expires_at,
        reference=None if reference is None else str(reference),
        received_at=None if received_at is None else str(received_at),
    )


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not remove %s: %s", path.name, error)


def _write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write whole or not at all, and durably: a crash leaves the old file or the new one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".consent-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
