"""The one object the page talks to (on a worker thread): scan, close, force close."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping

from app.core.open_apps import processes
from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.catalogue import Catalogue, default_catalogue
from app.core.open_apps.closing import CloseOutcome, close_politely, force_close
from app.core.open_apps.grouping import ProcessFacts, group_apps
from app.core.open_apps.model import OpenApp, Snapshot
from app.core.open_apps.process_list import ProcessListBackend
from app.core.open_apps.processes import ProcessTable

log = logging.getLogger(__name__)


def platform_name(system: str = sys.platform) -> str:
    if system.startswith("win"):
        return "windows"
    return "macos" if system == "darwin" else "linux"


def default_backend(environ: Mapping[str, str] = os.environ, system: str = sys.platform) -> WindowBackend:
    """The backend that can list windows here, or the process list where none can."""
    platform = platform_name(system)
    if platform == "windows":
        from app.core.open_apps.windows import WindowsBackend

        try:
            return WindowsBackend()
        except OSError:
            log.warning("user32 unavailable; listing processes instead of windows")
            return ProcessListBackend(platform)
    if platform == "macos":
        try:
            import AppKit  # noqa: F401 - PyObjC is only a dependency on macOS
        except ImportError:
            log.warning("PyObjC missing; listing processes instead of applications")
            return ProcessListBackend(platform)
        from app.core.open_apps.macos import MacBackend

        return MacBackend()
    session = environ.get("XDG_SESSION_TYPE", "").lower()
    # Under Wayland, X11 sees only the XWayland clients, so a window list would miss most apps.
    wayland = session == "wayland" or (bool(environ.get("WAYLAND_DISPLAY")) and session != "x11")
    if environ.get("DISPLAY") and not wayland:
        from app.core.open_apps.linux_x11 import X11Backend

        return X11Backend(environ["DISPLAY"])
    return ProcessListBackend(platform)


class OpenAppsScanner:
    def __init__(
        self,
        backend: WindowBackend | None = None,
        catalogue: Catalogue | None = None,
        facts: ProcessFacts | None = None,
        take_snapshot: Callable[[], ProcessTable] = processes.snapshot,
    ) -> None:
        self.backend = backend if backend is not None else default_backend()
        self.catalogue = catalogue if catalogue is not None else default_catalogue()
        self.facts = facts if facts is not None else ProcessFacts()
        self._take_snapshot = take_snapshot

    def scan(self) -> Snapshot:
        try:
            windows = self.backend.list_windows()
        except OSError as error:
            # The display went away or never answered: keep helping from the process list.
            log.warning("window list unavailable (%s); listing processes instead", error)
            self.backend = ProcessListBackend(self.backend.platform)
            windows = self.backend.list_windows()
        table = self._take_snapshot()
        apps = group_apps(windows, table, self.catalogue, self.backend.platform, self.facts, self.backend.related)
        return Snapshot(tuple(apps), self.backend.windows_listed)

    def close(self, app: OpenApp) -> CloseOutcome:
        return close_politely(self.backend, app)

    def force_close(self, app: OpenApp, confirmed: bool) -> CloseOutcome:
        return force_close(self.backend, app, confirmed, self.facts.own_lineage)
