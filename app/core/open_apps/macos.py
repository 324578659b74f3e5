"""macOS: the applications the Dock shows, from ``NSWorkspace.runningApplications``.

An application counts when its activation policy is "regular" (it has a Dock icon and may have
windows); agents and background daemons are left out. Polite close is
``NSRunningApplication.terminate`` (the app's own Quit, which offers to save), Force close is
``forceTerminate``. PyObjC is needed only here and only on macOS; the workspace is injectable
so the rules are tested with a fake anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.model import AppWindow, Icon, OpenApp

ACTIVATION_POLICY_REGULAR = 0
ICON_SIZE = 32


def _app_kit_workspace() -> Any:
    from AppKit import NSWorkspace  # PyObjC, installed on macOS only

    return NSWorkspace.sharedWorkspace()


def _png_icon(app: Any) -> Icon | None:
    """The Dock icon as a 32-point PNG; None where AppKit gives none."""
    try:
        from AppKit import NSBitmapImageFileTypePNG, NSBitmapImageRep
        from Foundation import NSMakeSize

        image = app.icon()
        if image is None:
            return None
        image.setSize_(NSMakeSize(ICON_SIZE, ICON_SIZE))
        rep = NSBitmapImageRep.imageRepWithData_(image.TIFFRepresentation())
        data = rep.representationUsingType_properties_(NSBitmapImageFileTypePNG, {})
        return Icon(ICON_SIZE, ICON_SIZE, bytes(data), "png")
    except Exception:  # noqa: BLE001 - an icon is a nicety; the row shows a generic one instead
        return None


class MacBackend(WindowBackend):
    platform = "macos"
    windows_listed = True

    def __init__(self, workspace: Any = None, icon_of: Callable[[Any], Icon | None] = _png_icon) -> None:
        self._workspace = workspace
        self._icon_of = icon_of
        self._icons: dict[int, Icon | None] = {}
        self._apps: dict[int, Any] = {}

    @property
    def workspace(self) -> Any:
        if self._workspace is None:
            self._workspace = _app_kit_workspace()
        return self._workspace

    def list_windows(self) -> list[AppWindow]:
        windows = []
        apps: dict[int, Any] = {}
        for app in self.workspace.runningApplications():
            if app.activationPolicy() != ACTIVATION_POLICY_REGULAR or app.isTerminated():
                continue
            pid = int(app.processIdentifier())
            apps[pid] = app
            if pid not in self._icons:
                self._icons[pid] = self._icon_of(app)
            bundle = app.bundleIdentifier()
            windows.append(
                AppWindow(
                    pid=pid,
                    handle=pid,
                    hints=(str(bundle),) if bundle else (),
                    display_name=str(app.localizedName() or "") or None,
                    icon=self._icons[pid],
                )
            )
        self._apps = apps
        self._icons = {pid: icon for pid, icon in self._icons.items() if pid in apps}
        return windows

    def _running(self, app: OpenApp) -> list[Any]:
        return [self._apps[w.handle] for w in app.windows if w.handle in self._apps]

    def close(self, app: OpenApp) -> bool:
        # Every process is asked, not just the first that answers: a list, then any().
        asked = [bool(running.terminate()) for running in self._running(app)]
        return any(asked)

    def force(self, app: OpenApp) -> bool:
        ended = [bool(running.forceTerminate()) for running in self._running(app)]
        return any(ended)
