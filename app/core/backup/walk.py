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
    rng = rng or random.Random()
    deadline = time.monotonic() + budget.max_seconds
    excluded = os.path.realpath(exclude) if exclude else None
    recent: list[tuple[float, int, str, int, bool, int]] = []  # a min-heap on mtime
    reservoir: list[tuple[float, int, str, int, bool, int]] = []
    seen = rest = entries = unreadable = vanished = 0
    visited: set[tuple[int, int]] = set()
    stack = [(index, path) for index, (_name, path) in reversed(list(enumerate(roots)))]
    complete = True
    while stack:
        check_cancel(cancel)
        if entries >= budget.max_entries or time.monotonic() > deadline:
            complete = False
            break
        root, folder = stack.pop()
        try:
            listing = os.scandir(folder)
        except FileNotFoundError:
            vanished += 1
            continue
        except OSError:
            unreadable += 1
            continue
        try:
            with listing:
                for entry in listing:
                    entries += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            st = entry.stat(follow_symlinks=False)
                            if is_reparse_point(st) or entry.path == excluded:
                                continue
                            if st.st_ino:  # zero on Windows, where junctions are skipped above
                                if (st.st_dev, st.st_ino) in visited:
                                    continue
                                visited.add((st.st_dev, st.st_ino))
                            stack.append((root, entry.path))
                            continue
                        if not entry.is_file(follow_symlinks=False) or is_junk(entry.name):
                            continue
                        st = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        vanished += 1
                        continue
                    except OSError:
                        unreadable += 1
                        continue
                    seen += 1
                    item = (st.st_mtime, seen, entry.path, st.st_size, is_cloud_only(st), root)
                    if len(recent) < budget.recent:
                        heapq.heappush(recent, item)
                        continue
                    if item[0] > recent[0][0]:
                        item = heapq.heapreplace(recent, item)  # the pushed-out one joins the rest
                    # Reservoir sampling over everything not (yet) among the newest.
                    rest += 1
                    if len(reservoir) < budget.random:
                        reservoir.append(item)
                    else:
                        slot = rng.randrange(rest)
                        if slot < budget.random:
                            reservoir[slot] = item
        except OSError:
            # The folder went away while being read (a drive unplugged, a folder deleted).
            unreadable += 1
        if progress is not None:
            progress(Progress(WALKING, seen, None, seen))
    newest = sorted(recent, reverse=True)
    files = tuple(
        SourceFile(root=r, path=p, size=size, mtime=mtime, cloud_only=cloud)
        for mtime, _seq, p, size, cloud, r in newest + reservoir
    )
    return HomeSample(roots, files, seen, unreadable, vanished, complete)
