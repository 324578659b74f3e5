"""Generated home folders and backups of them, for the backup check's tests, window and benchmark."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.backup.layouts import file_history_copy_name
from app.core.backup.system import BackupSystem, CommandResult

DAY = 24 * 3600
FOLDERS = ("Documents", "Desktop", "Pictures")


@dataclass
class Home:
    root: Path
    files: dict[str, float] = field(default_factory=dict)  # "Documents/a/b.txt" -> mtime

    def folder(self, name: str) -> Path:
        return self.root / name

    def system(self, *, separate_disk: Path | None = None, **changes) -> BackupSystem:
        """The home as the check sees it; ``separate_disk`` marks a backup folder as on another
        disk (in a test everything is on one disk)."""
        def device_of(path: str) -> int:
            if separate_disk is not None and Path(path).resolve().is_relative_to(separate_disk.resolve()):
                return -1
            return os.stat(path).st_dev

        values = {
            "home": str(self.root),
            "folders": tuple((name, str(self.root / name)) for name in FOLDERS),
            "os": "linux",
            "run": lambda _args: None,
            "partitions": list,
            "device_of": device_of,
        }
        values.update(changes)
        return BackupSystem(**values)


def write_file(path: Path, content: bytes, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))


def _content(rel: str, i: int) -> bytes:
    return f"content of {rel}\n".encode() * (1 + i % 5)


def _write(path: str, content: bytes, mtime: float, made: set[str]) -> None:
    """Plain os calls and a cache of made folders: the benchmark writes 200 000 files with this."""
    folder = os.path.dirname(path)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, content)
    finally:
        os.close(fd)
    os.utime(path, (mtime, mtime))


def make_home(root: Path, now: float, files: int = 30, *, depth: int = 3, seed: int = 1) -> Home:
    """``files`` files spread over Documents, Desktop and Pictures in nested folders, changed at
    times from a year ago to an hour ago."""
    rng = random.Random(seed)
    home = Home(root)
    made: set[str] = set()
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)
    for i in range(files):
        folder = FOLDERS[i % len(FOLDERS)]
        parts = [f"d{rng.randrange(8)}" for _ in range(rng.randrange(depth + 1))]
        rel = "/".join([folder, *parts, f"file{i:06d}.txt"])
        mtime = now - 3600 - rng.random() * 365 * DAY
        _write(os.path.join(root, rel), _content(rel, i), mtime, made)
        home.files[rel] = mtime
    return home


def touch(home: Home, rel: str, mtime: float, content: bytes | None = None) -> None:
    path = home.root / rel
    write_file(path, content if content is not None else path.read_bytes() if path.exists() else b"new\n", mtime)
    home.files[rel] = mtime


def newest(home: Home, count: int) -> list[str]:
    return sorted(home.files, key=home.files.get, reverse=True)[:count]


def mirror(home: Home, backup: Path, *, skip: Iterable[str] = (), under: str = "") -> Path:
    """A plain copy of the three folders, times kept (``cp -p``, rsync -a, a drag and drop)."""
    skip = set(skip)
    base = os.path.join(backup, under) if under else os.fspath(backup)
    made: set[str] = set()
    for rel, mtime in home.files.items():
        if rel not in skip:
            _write(os.path.join(base, rel), (home.root / rel).read_bytes(), mtime, made)
    os.makedirs(base, exist_ok=True)
    return backup


def file_history(home: Home, drive: Path, backed_up_at: float, *, skip: Iterable[str] = ()) -> Path:
    """A File History target on ``drive``: FileHistory/<user>/<pc>/Data/C/<home path>/name (stamp UTC).ext."""
    skip = set(skip)
    store = drive / "FileHistory" / "ann" / "HOMEPC"
    (store / "Configuration").mkdir(parents=True, exist_ok=True)
    (store / "Configuration" / "Config1.xml").write_text("<DataProtectionUserConfig/>")
    data = store / "Data" / "C" / Path(*home.root.resolve().parts[1:])
    for rel, mtime in home.files.items():
        if rel in skip:
            continue
        folder, name = os.path.split(rel)
        target = data / folder / file_history_copy_name(name, backed_up_at)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(home.root / rel, target)
        os.utime(target, (mtime, mtime))
    return drive


def time_machine(home: Home, drive: Path, stamp: str, *, apfs: bool = False) -> Path:
    """A Time Machine disk with one snapshot ``stamp`` (YYYY-MM-DD-HHMMSS) of the home."""
    if apfs:
        snapshot = drive / f"{stamp}.backup" / f"{stamp}.backup"
    else:
        snapshot = drive / "Backups.backupdb" / "Ann's Mac" / stamp
    volume = snapshot / "Macintosh HD - Data"
    mirror(home, volume, under=str(Path(*home.root.resolve().parts[1:])))
    return drive


def fake_run(answers: dict[tuple[str, ...], CommandResult | None]):
    """A stand-in for running system tools: answers by exact command line, None (not installed) else."""
    calls: list[tuple[str, ...]] = []

    def run(args):
        calls.append(tuple(args))
        return answers.get(tuple(args))

    run.calls = calls
    return run
