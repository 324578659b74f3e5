"""The one interface every platform backend offers the scanner."""

from __future__ import annotations

from app.core.open_apps.model import AppWindow, OpenApp


class WindowBackend:
    """Lists the customer's open windows (or apps) with their process ids and closes them the
    platform's polite way. Calls happen on a worker thread, one at a time per backend."""

    #: Which keys of the catalogue name applications here: "windows", "macos" or "linux".
    platform = "linux"
    #: False where the platform cannot tell windows apart and the list comes from processes.
    windows_listed = True

    def list_windows(self) -> list[AppWindow]:
        raise NotImplementedError

    def related(self, pid: int) -> tuple[tuple[str, ...], set[int]]:
        """More names the application may be known by, and more of its processes, beyond what
        its windows and process tree tell."""
        return (), set()

    def close(self, app: OpenApp) -> bool:
        """Ask the application to close so it can offer to save; False if this backend had no
        way to ask (the scanner then sends SIGTERM to its main process where there is one)."""
        return False

    def force(self, app: OpenApp) -> bool:
        """End the application without asking, where the platform has its own way; False lets
        the scanner end its processes itself."""
        return False
