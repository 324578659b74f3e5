"""The customer's running programs, grouped per application, from one psutil snapshot.

A first level: every process of the current user, grouped by executable name. The window-aware
backends and the confidential-app catalogue build on this.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class AppGroup:
    name: str
    process_count: int
    category: str = "other"


def _current_user() -> str:
    try:
        return psutil.Process(os.getpid()).username()
    except psutil.Error:
        return getpass.getuser()


def scan_open_apps() -> list[AppGroup]:
    """One snapshot of the current user's processes, grouped by name, sorted by name."""
    user = _current_user()
    counts: dict[str, int] = {}
    for proc in psutil.process_iter(["name", "username"]):
        info = proc.info
        if info.get("username") != user or not info.get("name"):
            continue
        counts[info["name"]] = counts.get(info["name"], 0) + 1
    return [AppGroup(name, count) for name, count in sorted(counts.items(), key=lambda kv: kv[0].lower())]
