"""How recent the customer's backup is.

A first level: the age of the newest file in a folder the customer picks, found within a time
and entry budget so a huge drive cannot hang the check.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from app.core.consent_record import BackupSummary

DAY = 24 * 3600


@dataclass(frozen=True)
class FolderCheck:
    folder_exists: bool
    files_seen: int
    newest_age_seconds: int | None
    complete: bool  # False when the walk stopped at its budget


def check_backup_folder(
    folder: str, *, now: float | None = None, max_entries: int = 200_000, max_seconds: float = 10.0
) -> FolderCheck:
    """Walk ``folder`` (not following links) and report the age of its newest file."""
    now = time.time() if now is None else now
    if not os.path.isdir(folder):
        return FolderCheck(False, 0, None, True)
    deadline = time.monotonic() + max_seconds
    newest: float | None = None
    seen = 0
    stack = [folder]
    while stack:
        if seen >= max_entries or time.monotonic() > deadline:
            break
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    seen += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            mtime = entry.stat(follow_symlinks=False).st_mtime
                            newest = mtime if newest is None else max(newest, mtime)
                    except OSError:
                        continue  # vanished or unreadable: the rest still counts
        except OSError:
            continue
    else:
        return FolderCheck(True, seen, _age(newest, now), True)
    return FolderCheck(True, seen, _age(newest, now), False)


def _age(newest: float | None, now: float) -> int | None:
    return None if newest is None else max(0, int(now - newest))


def summarise_folder_check(check: FolderCheck | None, max_age_days: int, risk_acknowledged: bool) -> BackupSummary:
    """The backup part of the consent record: verdict and age, never the folder's path."""
    if check is None or check.newest_age_seconds is None:
        return BackupSummary(verdict="none", kind="none", risk_acknowledged=risk_acknowledged)
    verdict = "recent" if check.newest_age_seconds <= max_age_days * DAY else "old"
    return BackupSummary(
        verdict=verdict,
        kind="folder",
        age_seconds=check.newest_age_seconds,
        risk_acknowledged=risk_acknowledged,
    )
