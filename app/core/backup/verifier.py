"""Verify a backup the customer points at: are their recent and sampled files in it?

Each sampled file is *covered* when the backup's copy has the same size and is not older (two
seconds of slack: FAT drives keep times to two seconds), *stale* when the copy is older,
*different* when the sizes differ although the copy is not older, and *missing* when there is no
copy. A bounded number of small covered files is confirmed by hashing both sides; cloud-only
files are never read. The check looks at a cancel flag between folders, files and hash chunks.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable
from dataclasses import dataclass

from app.core.backup.finders import find_repository
from app.core.backup.locate import PROBES, Copy, CopyFinder, candidate_roots, detect_layout
from app.core.backup.progress import COMPARING, HASHING, CancelFlag, Cancelled, Progress, check_cancel
from app.core.backup.system import BackupSystem
from app.core.backup.walk import HomeSample, SourceFile, WalkBudget, home_roots, sample_home

COVERED, STALE, DIFFERENT, MISSING = "covered", "stale", "different", "missing"
TIME_SLACK = 2.0

# How the check ended.
CHECKED = "checked"
NO_FOLDER = "no-folder"  # the folder or drive is not there
OWN_FILES = "own-files"  # the customer picked their own Documents (or a folder holding it)
REPOSITORY = "repository"  # restic or borg: encrypted, only its age can be read
DRIVE_LOST = "drive-lost"  # the backup went away during the check
CANCELLED = "cancelled"


@dataclass(frozen=True)
class HashBudget:
    files: int = 40
    max_file_size: int = 8 * 1024 * 1024
    chunk: int = 1024 * 1024


@dataclass(frozen=True)
class FileResult:
    name: str  # the home folder's name and the path inside it: shown on the customer's screen only
    status: str
    mtime: float
    hashed: bool = False


@dataclass(frozen=True)
class Verification:
    outcome: str
    layout: str = "folder"  # folder, file-history, time-machine, restic or borg
    newest_backup: float | None = None  # when the newest copy reached the backup
    results: tuple[FileResult, ...] = ()
    folders: tuple[str, ...] = ()  # the home folders that were walked
    files_seen: int = 0
    same_disk: bool = False
    walk_complete: bool = True
    unreadable_folders: int = 0
    vanished: int = 0


def verify_backup(
    backup: str,
    system: BackupSystem,
    *,
    cancel: CancelFlag | None = None,
    progress: Callable[[Progress], None] | None = None,
    walk_budget: WalkBudget = WalkBudget(),
    hash_budget: HashBudget = HashBudget(),
    rng: random.Random | None = None,
) -> Verification:
    """Check ``backup`` against the customer's home folders; never raises for what a disk does."""
    try:
        return _verify(backup, system, cancel, progress, walk_budget, hash_budget, rng)
    except Cancelled:
        return Verification(CANCELLED)


def _verify(backup, system, cancel, progress, walk_budget, hash_budget, rng) -> Verification:
    if not os.path.isdir(backup):
        return Verification(NO_FOLDER)
    repository = find_repository(backup)
    if repository is not None:
        return Verification(REPOSITORY, layout=repository.kind, newest_backup=repository.newest)
    picked = os.path.realpath(backup)
    every_root = home_roots(system.folders, system.home, exclude=None)
    if any(root == picked or root.startswith(picked.rstrip(os.sep) + os.sep) for _n, root in every_root):
        return Verification(OWN_FILES)
    roots = home_roots(system.folders, system.home, exclude=backup)

    sample = sample_home(roots, exclude=backup, budget=walk_budget, cancel=cancel, progress=progress, rng=rng)
    layout = detect_layout(backup)
    finder = CopyFinder(layout)
    try:
        pairs = _compare(sample, finder, cancel, progress)
    except OSError:
        pairs = None
    if pairs is None or not os.path.isdir(backup):
        return Verification(DRIVE_LOST, layout=layout.kind)
    results = _confirm_by_hash(pairs, hash_budget, cancel, progress, sample.files_seen)
    written = [copy.written_at for _f, _r, copy in pairs if copy is not None]
    newest = max(written, default=None)
    if finder.newest_stamp is not None:
        newest = max(newest or finder.newest_stamp, finder.newest_stamp)
    return Verification(
        CHECKED,
        layout=layout.kind,
        newest_backup=newest,
        results=tuple(results),
        folders=tuple(name for name, _p in sample.roots),
        files_seen=sample.files_seen,
        same_disk=_same_disk(system, backup, sample.roots),
        walk_complete=sample.complete,
        unreadable_folders=sample.unreadable_folders,
        vanished=sample.vanished,
    )


def _compare(sample: HomeSample, finder: CopyFinder, cancel, progress):
    """Pair every sampled file with its result and copy (or None)."""
    root_paths = [path for _n, path in sample.roots]
    by_root: dict[int, list[SourceFile]] = {}
    for file in sample.files:
        by_root.setdefault(file.root, []).append(file)
    copy_roots: dict[int, str | None] = {}
    for index, files in by_root.items():
        check_cancel(cancel)
        root = root_paths[index]
        probes = [os.path.relpath(f.path, root) for f in _spread(files, PROBES)]
        copy_roots[index] = finder.best_root(candidate_roots(finder.layout, root, root_paths), probes)

    pairs = []
    total = len(sample.files)
    for done, file in enumerate(sample.files):
        check_cancel(cancel)
        root_name, root = sample.roots[file.root]
        relative = os.path.relpath(file.path, root)
        copy_root = copy_roots[file.root]
        copy = None if copy_root is None else finder.find(copy_root, relative)
        name = os.path.join(root_name, relative).replace(os.sep, "/")
        pairs.append((file, FileResult(name, _status(file, copy), file.mtime), copy))
        if progress is not None:
            progress(Progress(COMPARING, done + 1, total, sample.files_seen))
    return pairs


def _spread(files: list[SourceFile], count: int) -> list[SourceFile]:
    """Probe files from across the list: the newest and the randomly sampled alike."""
    if len(files) <= count:
        return files
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def _status(file: SourceFile, copy: Copy | None) -> str:
    if copy is None:
        return MISSING
    if copy.mtime + TIME_SLACK < file.mtime:
        return STALE
    if copy.size != file.size:
        return DIFFERENT
    return COVERED


def _confirm_by_hash(pairs, budget: HashBudget, cancel, progress, files_seen) -> list[FileResult]:
    chosen = [
        i
        for i, (file, result, copy) in enumerate(pairs)
        if result.status == COVERED
        and file.size <= budget.max_file_size
        and not file.cloud_only
        and not copy.cloud_only
    ][: budget.files]
    results = [result for _f, result, _c in pairs]
    for done, index in enumerate(chosen):
        file, result, copy = pairs[index]
        source_hash = _hash(file.path, budget.chunk, cancel)
        copy_hash = _hash(copy.path, budget.chunk, cancel) if source_hash is not None else None
        if source_hash is not None and copy_hash is not None:
            status = COVERED if source_hash == copy_hash else DIFFERENT
            results[index] = FileResult(result.name, status, result.mtime, hashed=True)
        if progress is not None:
            progress(Progress(HASHING, done + 1, len(chosen), files_seen))
    return results


def _hash(path: str, chunk: int, cancel) -> bytes | None:
    """SHA-256 of a file, None if it cannot be read (vanished, locked, no permission)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            while True:
                check_cancel(cancel)
                block = stream.read(chunk)
                if not block:
                    return digest.digest()
                digest.update(block)
    except OSError:
        return None


def _same_disk(system: BackupSystem, backup: str, roots) -> bool:
    """A copy on the disk that holds the files is no protection when that disk fails."""
    try:
        backup_device = system.device_of(backup)
        return any(system.device_of(path) == backup_device for _n, path in roots)
    except OSError:
        return False
