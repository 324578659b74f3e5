"""Find, for each of the customer's folders, where its copy sits in the backup, and look files up.

The customer may pick the drive, a folder on it, or the copy of Documents itself, and tools lay
copies out differently, so each home folder gets candidate places (every tail of its path under
each base the layout offers, the base itself and the base's subfolders) and the one where most
probe files are found wins.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field

from app.core.backup.layouts import file_history_data_folders, file_history_name, time_machine_snapshots
from app.core.backup.placeholders import is_cloud_only

_MAX_SUBFOLDERS = 100
_MAX_CANDIDATES = 400
PROBES = 12
# A lookup that fails with one of these means "not there"; anything else is the drive failing.
_ABSENT = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG, errno.ELOOP}


@dataclass(frozen=True)
class Layout:
    kind: str  # "folder", "file-history" or "time-machine"
    bases: tuple[str, ...]
    taken_at: float | None = None  # a Time Machine snapshot's time


@dataclass(frozen=True)
class Copy:
    path: str
    size: int
    mtime: float
    written_at: float  # when the copy reached the backup: creation/change time or its File History stamp
    cloud_only: bool


def detect_layout(backup: str) -> Layout:
    data = file_history_data_folders(backup)
    if data:
        drives = tuple(sub for folder in data for sub in _subfolders(folder) if os.path.basename(sub) != "$OF")
        return Layout("file-history", drives)
    snapshots = time_machine_snapshots(backup)
    if snapshots:
        newest = snapshots[0]
        return Layout("time-machine", tuple(_subfolders(newest.path)), newest.taken_at)
    return Layout("folder", (backup,))


def _subfolders(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return sorted(e.path for e in entries if _is_dir(e))[:_MAX_SUBFOLDERS]
    except OSError:
        return []


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def candidate_roots(layout: Layout, source_root: str, home_roots: list[str]) -> list[str]:
    """Existing folders that may hold the copy of ``source_root``, most specific first."""
    _drive, rest = os.path.splitdrive(source_root)
    parts = [p for p in rest.split(os.sep) if p]
    found: list[str] = []
    for base in layout.bases:
        # The copy may sit a level or two down ("Backup 2024/home/Documents", "Backup/My Documents").
        for folder in [base, *_subfolders(base)]:
            found.extend(os.path.join(folder, *parts[start:]) for start in range(len(parts)))
            found.append(folder)
            found.extend(_subfolders(folder))
            if len(found) > _MAX_CANDIDATES:
                break
    own = {os.path.realpath(r) for r in home_roots}
    unique = []
    for path in dict.fromkeys(found):
        if os.path.isdir(path) and os.path.realpath(path) not in own:
            unique.append(path)
    return unique


@dataclass
class CopyFinder:
    """Looks up copies in one layout; remembers File History folder listings and the newest
    backup stamp it has seen in them."""

    layout: Layout
    newest_stamp: float | None = None
    _listings: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)

    def find(self, copy_root: str, relative: str) -> Copy | None:
        """The copy of ``relative`` under ``copy_root``; None when absent. Raises OSError when
        the backup itself fails (a drive unplugged)."""
        path = os.path.join(copy_root, relative)
        if self.layout.kind == "file-history":
            folder, name = os.path.split(path)
            newest = self._listing(folder).get(name)
            if newest is None:
                return None
            path, stamp = newest
            st = _stat(path)
            return None if st is None else Copy(path, st.st_size, st.st_mtime, stamp, is_cloud_only(st))
        st = _stat(path)
        if st is None:
            return None
        written = self.layout.taken_at if self.layout.taken_at is not None else max(st.st_mtime, st.st_ctime)
        return Copy(path, st.st_size, st.st_mtime, written, is_cloud_only(st))

    def _listing(self, folder: str) -> dict[str, tuple[str, float]]:
        listing = self._listings.get(folder)
        if listing is not None:
            return listing
        listing = {}
        try:
            names = os.listdir(folder)
        except OSError as error:
            if error.errno not in _ABSENT:
                raise
            names = []
        for name in names:
            parsed = file_history_name(name)
            if parsed is None:
                continue
            original, stamp = parsed
            if original not in listing or listing[original][1] < stamp:
                listing[original] = (os.path.join(folder, name), stamp)
            if self.newest_stamp is None or stamp > self.newest_stamp:
                self.newest_stamp = stamp
        self._listings[folder] = listing
        return listing

    def best_root(self, candidates: list[str], probes: list[str]) -> str | None:
        """The candidate where most probe files (relative paths) are found; None if none is."""
        best, best_hits = None, 0
        for candidate in candidates:
            hits = sum(1 for rel in probes if self.find(candidate, rel) is not None)
            if hits > best_hits:
                best, best_hits = candidate, hits
        return best


def _stat(path: str):
    try:
        return os.stat(path)
    except OSError as error:
        if error.errno in _ABSENT:
            return None
        raise
