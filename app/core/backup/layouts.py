"""How backup tools lay out their copies on the backup drive.

- File History: ``FileHistory/<user>/<computer>/Data/<drive letter>/<path>``, each copy named
  ``name (YYYY_MM_DD HH_MM_SS UTC).ext`` with the time of the backup that made it.
- Time Machine: dated snapshot folders, ``Backups.backupdb/<computer>/YYYY-MM-DD-HHMMSS/<volume>/``
  on older disks and ``YYYY-MM-DD-HHMMSS.backup/YYYY-MM-DD-HHMMSS.backup/<volume>/`` on APFS ones.
- restic and borg repositories: encrypted and packed, recognised by their fixed top-level files.
"""

from __future__ import annotations

import os
import re
from calendar import timegm
from dataclasses import dataclass
from datetime import UTC, datetime

_FH_NAME = re.compile(r"^(?P<stem>.*) \((?P<stamp>\d{4}_\d{2}_\d{2} \d{2}_\d{2}_\d{2}) UTC\)(?P<ext>\.[^.]*)?$", re.DOTALL)
_TM_NAME = re.compile(r"^(?P<stamp>\d{4}-\d{2}-\d{2}-\d{6})(?:\.(?:backup|previous))?$")
# Listing a drive's top level to find backup folders stops here: a drive can hold anything.
_MAX_LISTED = 500


def file_history_name(name: str) -> tuple[str, float] | None:
    """``report (2024_05_01 10_00_00 UTC).docx`` → (``report.docx``, the backup's time), else None."""
    match = _FH_NAME.match(name)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match["stamp"], "%Y_%m_%d %H_%M_%S")
    except ValueError:
        return None
    return match["stem"] + (match["ext"] or ""), float(timegm(moment.timetuple()))


def file_history_copy_name(original: str, backed_up_at: float) -> str:
    """The name File History gives a copy made at ``backed_up_at`` (used by the tests' fixtures too)."""
    stem, dot, ext = original.rpartition(".")
    if not (dot and stem and ext):
        stem, ext = original, ""
    stamp = datetime.fromtimestamp(backed_up_at, UTC).strftime("%Y_%m_%d %H_%M_%S")
    return f"{stem} ({stamp} UTC)" + (f".{ext}" if ext else "")


def time_machine_time(name: str) -> float | None:
    """The local time a Time Machine snapshot folder is named after, or None for other names."""
    match = _TM_NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match["stamp"], "%Y-%m-%d-%H%M%S").timestamp()
    except ValueError:
        return None


def _subfolders(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            found: list[str] = []
            for entry in entries:
                if len(found) >= _MAX_LISTED:
                    break
                try:
                    if entry.is_dir():
                        found.append(entry.path)
                except OSError:
                    continue
            return found
    except OSError:
        return []


def file_history_data_folders(folder: str) -> list[str]:
    """The ``Data`` folders of File History targets at or below ``folder`` (the drive, the
    FileHistory folder, a user's or a computer's folder, or Data itself)."""
    if os.path.basename(os.path.normpath(folder)) == "Data" and os.path.isdir(os.path.join(folder, "..", "Configuration")):
        return [folder]
    levels = [folder]
    top = os.path.join(folder, "FileHistory")
    if os.path.isdir(top):
        levels = [top]
    found: list[str] = []
    for _depth in range(3):
        for level in levels:
            data = os.path.join(level, "Data")
            if os.path.isdir(data) and os.path.isdir(os.path.join(level, "Configuration")):
                found.append(data)
        if found:
            return found
        levels = [sub for level in levels for sub in _subfolders(level)][:_MAX_LISTED]
    return found


@dataclass(frozen=True)
class Snapshot:
    path: str
    taken_at: float


def time_machine_snapshots(folder: str) -> list[Snapshot]:
    """Time Machine snapshot folders at or below ``folder``, newest first."""
    own = time_machine_time(os.path.basename(os.path.normpath(folder)))
    if own is not None:
        candidates = [folder]
    else:
        roots = [folder]
        backupdb = os.path.join(folder, "Backups.backupdb")
        if os.path.isdir(backupdb):
            roots = _subfolders(backupdb)  # one folder per computer
        candidates = [sub for root in roots for sub in _subfolders(root)]
        if not any(time_machine_time(os.path.basename(c)) for c in candidates):
            candidates = [sub for root in roots for mid in _subfolders(root) for sub in _subfolders(mid)]
    snapshots = []
    for path in candidates:
        taken = time_machine_time(os.path.basename(path))
        if taken is None:
            continue
        # APFS backups nest a folder of the same name inside the snapshot.
        inner = os.path.join(path, os.path.basename(path))
        snapshots.append(Snapshot(inner if os.path.isdir(inner) else path, taken))
    return sorted(snapshots, key=lambda s: s.taken_at, reverse=True)


def repository_kind(folder: str) -> str | None:
    """``"restic"`` or ``"borg"`` when ``folder`` is such a repository, else None."""
    join = os.path.join
    if os.path.isfile(join(folder, "config")) and all(
        os.path.isdir(join(folder, sub)) for sub in ("data", "index", "keys", "snapshots")
    ):
        return "restic"
    try:
        with open(join(folder, "README"), encoding="utf-8", errors="replace") as readme:
            if readme.read(200).startswith("This is a Borg Backup repository"):
                return "borg"
    except OSError:
        pass
    return None


def repository_newest(folder: str, kind: str) -> float | None:
    """When the repository last recorded a backup: restic writes one file per snapshot; borg
    rewrites its index, hints and integrity files at every commit."""
    if kind == "restic":
        names = [os.path.join("snapshots", name) for name in _names(os.path.join(folder, "snapshots"))]
    else:
        names = [name for name in _names(folder) if name.split(".")[0] in ("index", "hints", "integrity")]
    newest = None
    for name in names:
        try:
            mtime = os.stat(os.path.join(folder, name)).st_mtime
        except OSError:
            continue
        newest = mtime if newest is None else max(newest, mtime)
    return newest


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []
