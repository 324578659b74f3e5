"""One psutil snapshot per refresh, and the few per-process questions asked of it.

The snapshot reads only each process's name: that is what the refresh budget allows (a bare
``process_iter(['pid', 'name'])`` is the baseline), and everything else — parents, children,
owners — is asked only of the handful of processes that own a window or are catalogued.
Processes that vanish or refuse access are skipped one by one, never failing the scan.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

_LINUX = sys.platform.startswith("linux")


@dataclass
class ProcessTable:
    names: dict[int, str]
    processes: dict[int, psutil.Process]

    def name(self, pid: int) -> str | None:
        return self.names.get(pid)


def snapshot() -> ProcessTable:
    names: dict[int, str] = {}
    processes: dict[int, psutil.Process] = {}
    for proc in psutil.process_iter(["name"]):
        name = proc.info.get("name")
        if name:
            names[proc.pid] = name
            processes[proc.pid] = proc
    return ProcessTable(names, processes)


def _linux_children(pid: int) -> list[int] | None:
    """Children from /proc/PID/task/TID/children (one small read per thread); None where the
    kernel does not offer the file, so the caller falls back to psutil's full ppid map."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    children: list[int] = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                children.extend(int(p) for p in f.read().split())
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{pid}/task/{tid}"):
                continue
            return None
        except OSError:
            continue
    return children


def descendants(table: ProcessTable, roots: Iterable[int]) -> set[int]:
    """Every process started (directly or not) by ``roots`` and still in the table."""
    found: set[int] = set()
    pending = list(roots)
    while pending:
        pid = pending.pop()
        children = _linux_children(pid) if _LINUX else None
        if children is None:
            try:
                children = [child.pid for child in psutil.Process(pid).children(recursive=False)]
            except psutil.Error:
                children = []
        for child in children:
            if child not in found and child in table.names:
                found.add(child)
                pending.append(child)
    return found


def _linux_stat(pid: int) -> os.stat_result | None:
    try:
        return os.stat(f"/proc/{pid}")
    except OSError:
        return None


def parent(pid: int) -> int | None:
    if _LINUX:
        # The field after the parenthesised name in /proc/PID/stat; psutil's ppid() would read
        # the file three times over to guard against pid reuse, which a refresh cannot afford
        # for every window (killing, where reuse matters, goes through psutil).
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                return int(f.read().rpartition(b")")[2].split()[1]) or None
        except (OSError, ValueError, IndexError):
            return None
    try:
        return psutil.Process(pid).ppid() or None
    except psutil.Error:
        return None


def main_process(table: ProcessTable, pid: int) -> int:
    """The topmost ancestor that runs the same program: a browser's window may belong to a
    process its main process started, and a single-file build runs under a bootloader of the
    same name."""
    name = table.name(pid)
    current = pid
    seen = {pid}
    while True:
        up = parent(current)
        if up is None or up in seen or table.name(up) != name:
            return current
        seen.add(up)
        current = up


_ME: tuple[int, str | None] | None = None


def _my_identity() -> tuple[int, str | None]:
    global _ME
    if _ME is None:
        try:
            me = psutil.Process()
            _ME = (me.uids().real if hasattr(me, "uids") else -1, _username(me))
        except psutil.Error:
            _ME = (os.getuid() if hasattr(os, "getuid") else -1, None)
    return _ME


def _username(proc: psutil.Process) -> str | None:
    if not sys.platform.startswith("win"):
        return None
    try:
        return proc.username()
    except psutil.Error:
        return None


def owned_by_me(pid: int) -> bool:
    """Whether the process belongs to the customer's own account (and, on Windows, is not
    elevated beyond what the launcher may signal: an unreadable owner counts as another's)."""
    uid, username = _my_identity()
    if _LINUX:
        # /proc/PID belongs to the process's real user: one stat() instead of reading its status.
        info = _linux_stat(pid)
        return info is not None and info.st_uid == uid
    try:
        proc = psutil.Process(pid)
        if sys.platform.startswith("win"):
            return username is not None and proc.username() == username
        return proc.uids().real == uid
    except psutil.Error:
        return False


def is_zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def own_lineage() -> set[int]:
    """The launcher's own process and everything it runs inside: closing any of them would
    close the launcher (its single-file bootloader, the terminal or file manager it started from)."""
    pids = {os.getpid()}
    current = os.getpid()
    while True:
        up = parent(current)
        if up is None or up in pids or up <= 1:
            return pids
        pids.add(up)
        current = up
