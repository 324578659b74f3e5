"""Where windows cannot be listed (Wayland gives no window list to other programs): the process list.

The scanner still flags every catalogued confidential application from the process snapshot;
on Linux desktops run by systemd, each application the desktop started also has its own unit,
which names it and gathers its processes, so those are listed as applications too.
"""

from __future__ import annotations

import sys

from app.core.open_apps import linux_cgroups
from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.model import AppWindow


class ProcessListBackend(WindowBackend):
    windows_listed = False

    def __init__(self, platform: str = "linux") -> None:
        self.platform = platform

    def list_windows(self) -> list[AppWindow]:
        if not sys.platform.startswith("linux"):
            return []
        # handle 0: no window is known, so a polite close falls back to SIGTERM.
        return [
            AppWindow(pid=min(pids), handle=0, hints=hints, display_name=hints[-1] if hints else None)
            for hints, pids in linux_cgroups.user_app_units()
        ]

    def related(self, pid: int) -> tuple[tuple[str, ...], set[int]]:
        return linux_cgroups.scope_of(pid) if sys.platform.startswith("linux") else ((), set())
