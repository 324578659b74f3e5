"""What a scan finds: open applications, their windows and processes, and whether they may be closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Why an application must not be closed from the page.
PROTECTED_SHELL = "shell"
PROTECTED_REMOTE_SUPPORT = "remote-support"
PROTECTED_OTHER_USER = "other-user"


@dataclass(frozen=True)
class Icon:
    """An application's icon as the platform gives it: ``argb32`` pixels (native-endian
    0xAARRGGBB words, as X11 and Windows hand them) or an encoded ``png``."""

    width: int
    height: int
    data: bytes = field(repr=False)
    format: str = "argb32"


@dataclass(frozen=True)
class AppWindow:
    """One top-level window (or, on macOS, one regular application) as a backend sees it.

    ``handle`` means something only to the backend that made it (an X11 window id, an HWND, a
    pid on macOS); ``hints`` are names the catalogue may know it by (WM_CLASS, a bundle id, an
    app id). No titles: nothing here is meant to leave the backend but to close the window.
    """

    pid: int
    handle: int
    hints: tuple[str, ...] = ()
    display_name: str | None = None
    icon: Icon | None = None


@dataclass(frozen=True, eq=False)
class OpenApp:
    """One row of the page: an application however many processes and windows it has."""

    key: str
    name: str
    category: str
    catalogued: bool
    main_pid: int
    pids: tuple[int, ...]
    windows: tuple[AppWindow, ...] = ()
    protected: str | None = None
    icon: Icon | None = None
    # psutil.Process objects of ``pids`` from the scan: they remember each process's start time,
    # so a later kill cannot hit a new process that reused the pid.
    processes: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def flagged(self) -> bool:
        """May hold personal or confidential information: catalogued in a category other than "other"."""
        return self.catalogued and self.category != "other"

    @property
    def closable(self) -> bool:
        return self.protected is None


@dataclass(frozen=True)
class Snapshot:
    apps: tuple[OpenApp, ...]
    # False where the platform cannot tell windows apart and the list came from processes.
    windows_listed: bool = True

    def by_key(self) -> dict[str, OpenApp]:
        return {app.key: app for app in self.apps}
