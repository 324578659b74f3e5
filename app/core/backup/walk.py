"""Walk the customer's Documents, Desktop and Pictures and choose the files to look for.

The walk keeps the most recently changed files (the ones a customer would miss most) and a
random sample of all the rest, within a time and an entry budget so a huge folder cannot hang
the check. It never follows symbolic links or Windows junctions (they can loop), survives
folders it may not read and files that vanish under it, and checks the cancel flag between
folders.
"""

from __future__ import annotations

import heapq
import os
import random
import time
from dataclasses import dataclass

from app.core.backup.placeholders import is_cloud_only, is_reparse_point
from app.core.backup.progress import WALKING, CancelFlag, Progress, check_cancel

# Files no backup is expected to hold: desktop clutter and the lock files of open documents.
_JUNK_NAMES = {"desktop.ini", "thumbs.db", ".ds_store", ".localized", "icon\r"}
_JUNK_PREFIXES = ("~$", ".~lock.")
_JUNK_SUFFIXES = (".tmp", ".crdownload", ".part", ".partial")


def is_junk(name: str) -> bool:
    lower = name.lower()
    return lower in _JUNK_NAMES or lower.startswith(_JUNK_PREFIXES) or lower.endswith(_JUNK_SUFFIXES)


@dataclass(frozen=True)
class WalkBudget:
    max_entries: int = 500_000
    max_seconds: float = 15.0
    recent: int = 200  # the most recently changed files, all checked
    random: int = 200  # plus this many chosen at random from everything seen


@dataclass(frozen=True)
class SourceFile:
    root: int  # index into HomeSample.roots
    path: str
    size: int
    mtime: float
    cloud_only: bool


@dataclass(frozen=True)
class HomeSample:
    roots: tuple[tuple[str, str], ...]  # (name, path) of the folders that exist
    files: tuple[SourceFile, ...]  # newest first, then the random ones
    files_seen: int
    unreadable_folders: int
    vanished: int
    complete: bool  # False when a budget stopped the walk early


def home_roots(folders, home: str, exclude: str | None) -> tuple[tuple[str, str], ...]:
    """The folders to walk: existing ones, never the whole home (some desktops set Desktop to
    it), each once, none inside another or inside the backup being checked."""
    chosen: list[tuple[str, str]] = []
    home_real = os.path.realpath(home)
    for name, path in folders:
        real = os.path.realpath(path)
        if real == home_real or not os.path.isdir(real):
            continue
        if any(_within(real, other) or _within(other, real) for _n, other in chosen):
            continue
        if exclude is not None and _within(real, os.path.realpath(exclude)):
            continue
        chosen.append((name, real))
    return tuple(chosen)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def sample_home(
    roots: tuple[tuple[str, str], ...],
    *,
    exclude: str | None = None,
    budget: WalkBudget = WalkBudget(),
    cancel: CancelFlag | None = None,
    progress=None,
    rng: random.Random | None = None,
) -> HomeSample:
    deadline = time.monotonic() + budget.max_seconds
    walk = _Walk(roots, exclude, _Sample(budget, rng or random.Random()))
    complete = True
    while walk.folders:
        check_cancel(cancel)
        if walk.entries >= budget.max_entries or time.monotonic() > deadline:
            complete = False
            break
        walk.read_folder(*walk.folders.pop())
        if progress is not None:
            progress(Progress(WALKING, walk.seen, None, walk.seen))
    return HomeSample(roots, walk.sample.files(), walk.seen, walk.unreadable, walk.vanished, complete)


# One file seen: (mtime, order seen, path, size, cloud only, root index); the order breaks ties.
_Seen = tuple[float, int, str, int, bool, int]


class _Sample:
    """The most recently changed files (a min-heap on mtime) and a uniform random sample of all
    the others, each within its budget."""

    def __init__(self, budget: WalkBudget, rng: random.Random) -> None:
        self._budget, self._rng = budget, rng
        self._recent: list[_Seen] = []
        self._reservoir: list[_Seen] = []
        self._rest = 0

    def offer(self, item: _Seen) -> None:
        if len(self._recent) < self._budget.recent:
            heapq.heappush(self._recent, item)
            return
        if item[0] > self._recent[0][0]:
            item = heapq.heapreplace(self._recent, item)  # the pushed-out one joins the rest
        # Reservoir sampling over everything not (yet) among the newest.
        self._rest += 1
        if len(self._reservoir) < self._budget.random:
            self._reservoir.append(item)
            return
        slot = self._rng.randrange(self._rest)
        if slot < self._budget.random:
            self._reservoir[slot] = item

    def files(self) -> tuple[SourceFile, ...]:
        """The newest first, then the random ones."""
        return tuple(
            SourceFile(root=r, path=p, size=size, mtime=mtime, cloud_only=cloud)
            for mtime, _seq, p, size, cloud, r in sorted(self._recent, reverse=True) + self._reservoir
        )


class _Walk:
    """One walk's state: the folders still to read, the folders already entered, the counts."""

    def __init__(self, roots: tuple[tuple[str, str], ...], exclude: str | None, sample: _Sample) -> None:
        self.folders = [(index, path) for index, (_name, path) in reversed(list(enumerate(roots)))]
        self.sample = sample
        self._excluded = os.path.realpath(exclude) if exclude else None
        self._entered: set[tuple[int, int]] = set()
        self.entries = self.seen = self.unreadable = self.vanished = 0

    def read_folder(self, root: int, folder: str) -> None:
        try:
            listing = os.scandir(folder)
        except FileNotFoundError:
            self.vanished += 1
            return
        except OSError:
            self.unreadable += 1
            return
        try:
            with listing:
                for entry in listing:
                    self.entries += 1
                    self._read_entry(root, entry)
        except OSError:
            # The folder went away while being read (a drive unplugged, a folder deleted).
            self.unreadable += 1

    def _read_entry(self, root: int, entry: os.DirEntry) -> None:
        try:
            if entry.is_dir(follow_symlinks=False):
                self._queue_folder(root, entry)
                return
            if not entry.is_file(follow_symlinks=False) or is_junk(entry.name):
                return
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            self.vanished += 1
            return
        except OSError:
            self.unreadable += 1
            return
        self.seen += 1
        self.sample.offer((st.st_mtime, self.seen, entry.path, st.st_size, is_cloud_only(st), root))

    def _queue_folder(self, root: int, entry: os.DirEntry) -> None:
        st = entry.stat(follow_symlinks=False)
        if is_reparse_point(st) or entry.path == self._excluded:
            return
        if st.st_ino:  # zero on Windows, where junctions are skipped above
            if (st.st_dev, st.st_ino) in self._entered:
                return  # a loop, or a bind mount seen twice
            self._entered.add((st.st_dev, st.st_ino))
        self.folders.append((root, entry.path))
