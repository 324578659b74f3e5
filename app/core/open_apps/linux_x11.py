"""Linux on X11: the window manager's client list, or the root window's children without one.

What a taskbar shows: ``_NET_CLIENT_LIST`` (EWMH) when a window manager keeps it; otherwise
(plain Xvfb, very old window managers) the mapped children of the root window and, for a
reparenting manager without EWMH, their children. Windows a taskbar skips (docks, desktops,
menus, splash screens, dialogs of another window, ``_NET_WM_STATE_SKIP_TASKBAR``) are left out.

Polite close: ``_NET_CLOSE_WINDOW`` to the window manager where it advertises it in
``_NET_SUPPORTED``, else ICCCM's ``WM_DELETE_WINDOW`` sent to the window itself.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass

from app.core.open_apps import linux_cgroups
from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.model import AppWindow, Icon, OpenApp
from app.core.open_apps.xcb import (
    CURRENT_TIME,
    EVENT_MASK_SUBSTRUCTURE_NOTIFY,
    EVENT_MASK_SUBSTRUCTURE_REDIRECT,
    Connection,
    cardinals,
    strings,
)

_ATOMS = (
    "_NET_CLIENT_LIST",
    "_NET_SUPPORTED",
    "_NET_CLOSE_WINDOW",
    "_NET_WM_PID",
    "WM_CLASS",
    "_NET_WM_WINDOW_TYPE",
    "_NET_WM_STATE",
    "_NET_WM_STATE_SKIP_TASKBAR",
    "WM_TRANSIENT_FOR",
    "_NET_WM_ICON",
    "WM_PROTOCOLS",
    "WM_DELETE_WINDOW",
    "_GTK_APPLICATION_ID",
    "_KDE_NET_WM_DESKTOP_FILE",
)
_SKIPPED_TYPES = tuple(
    f"_NET_WM_WINDOW_TYPE_{t}"
    for t in ("DESKTOP", "DOCK", "TOOLBAR", "MENU", "UTILITY", "SPLASH", "DROPDOWN_MENU", "POPUP_MENU",
              "TOOLTIP", "NOTIFICATION", "COMBO", "DND")
)
# What a window is, read once per window: pid, class, type, dialog-of, toolkit app ids.
_STATIC = ("_NET_WM_PID", "WM_CLASS", "_NET_WM_WINDOW_TYPE", "WM_TRANSIENT_FOR", "_GTK_APPLICATION_ID",
           "_KDE_NET_WM_DESKTOP_FILE")
# Icons are picked at the size the page shows them, or the nearest larger one.
ICON_SIZE = 32
# Source indication "pager": the request comes from a tool acting for the user (EWMH).
_SOURCE_PAGER = 2


@dataclass(frozen=True)
class _WindowInfo:
    pid: int
    hints: tuple[str, ...]
    name: str | None
    skipped: bool
    marked: bool


def pick_icon(value: list[int], size: int = ICON_SIZE) -> Icon | None:
    """The ``_NET_WM_ICON`` image closest to ``size`` (the smallest not below it, else the largest)."""
    images: list[tuple[int, int, int]] = []
    i = 0
    while i + 2 <= len(value):
        width, height = value[i], value[i + 1]
        if width <= 0 or height <= 0 or width * height > len(value) - i - 2:
            break
        images.append((width, height, i + 2))
        i += 2 + width * height
    if not images:
        return None
    big_enough = [im for im in images if min(im[0], im[1]) >= size]
    width, height, start = min(big_enough) if big_enough else max(images)
    pixels = value[start : start + width * height]
    return Icon(width, height, struct.pack(f"={len(pixels)}I", *pixels))


class X11Backend(WindowBackend):
    platform = "linux"
    windows_listed = True

    def __init__(self, display: str | None = None, connect: Callable[[str | None], Connection] = Connection) -> None:
        self._display = display if display is not None else os.environ.get("DISPLAY")
        self._connect = connect
        self._connection: Connection | None = None
        self._icons: dict[int, Icon | None] = {}
        self._info: dict[int, _WindowInfo] = {}

    def _conn(self):
        if self._connection is None or self._connection.broken:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            self._connection = self._connect(self._display)
        return self._connection

    def _describe(self, values: list, skipped_types: set[int]) -> _WindowInfo:
        pid_v, class_v, type_v, transient_v, gtk_v, kde_v = values
        wm_class = strings(class_v)
        types = cardinals(type_v)
        return _WindowInfo(
            pid=(cardinals(pid_v) or [0])[0],
            hints=tuple(strings(gtk_v) + strings(kde_v) + wm_class[::-1]),
            name=wm_class[-1] if wm_class else None,
            # Taskbars skip docks, desktops, menus and the like, and dialogs of another window.
            skipped=bool(types and types[0] in skipped_types) or any(cardinals(transient_v)),
            marked=pid_v is not None or class_v is not None,
        )

    def list_windows(self) -> list[AppWindow]:
        conn = self._conn()
        with conn.lock:
            atoms = conn.atoms(_ATOMS + _SKIPPED_TYPES)
            skipped_types = {atoms[t] for t in _SKIPPED_TYPES if atoms[t]}
            managed, candidates = self._candidates(conn, atoms)
            shown = self._shown(conn, atoms, candidates, managed, skipped_types)
            listed, frames = self._sort_out(shown, managed, atoms["_NET_WM_STATE_SKIP_TASKBAR"])
            listed += self._framed(conn, frames, skipped_types, atoms)
            keep = set(candidates) | {w for w, _ in listed}
            self._info = {w: i for w, i in self._info.items() if w in keep}
            self._fetch_icons(conn, atoms, [w for w, _ in listed])
        return [AppWindow(i.pid, w, i.hints, i.name, self._icons.get(w)) for w, i in listed]

    def _candidates(self, conn: Connection, atoms: dict[str, int]) -> tuple[bool, list[int]]:
        """Whether a window manager keeps a client list, and the windows that may be listed."""
        client_list, root_children = conn.batch(
            [("property", conn.root, atoms["_NET_CLIENT_LIST"]), ("children", conn.root)]
        )
        # With a window manager, its client list; without one (plain Xvfb), the root's
        # mapped children, which are then the applications' own windows or, under a
        # reparenting manager without EWMH, its frames around them.
        if client_list is not None:
            return True, cardinals(client_list)
        return False, root_children or []

    def _shown(
        self, conn: Connection, atoms: dict[str, int], candidates: list[int], managed: bool, skipped_types: set[int]
    ) -> list[tuple[int, list[int], bool]]:
        """Each candidate with its _NET_WM_STATE and whether it is on screen (mapped and not
        override-redirect; a managed client counts as on screen), in one round trip."""
        # What a window is (its pid, class, type) does not change while it exists, so it is
        # asked once; what may change (mapped, skip-taskbar) is asked on every refresh.
        new = [w for w in candidates if w not in self._info]
        requests: list[tuple] = [("property", w, atoms[name]) for w in new for name in _STATIC]
        requests += [("property", w, atoms["_NET_WM_STATE"]) for w in candidates]
        if not managed:
            requests += [("attributes", w) for w in candidates]
        answers = conn.batch(requests)
        width = len(_STATIC)
        for index, window in enumerate(new):
            self._info[window] = self._describe(answers[index * width : (index + 1) * width], skipped_types)
        states = answers[len(new) * width :][: len(candidates)]
        mapped = answers[len(new) * width + len(candidates) :] if not managed else [(True, False)] * len(candidates)
        return [
            (window, cardinals(state), attributes is not None and bool(attributes[0]) and not attributes[1])
            for window, state, attributes in zip(candidates, states, mapped, strict=True)
        ]

    def _sort_out(
        self, shown: list[tuple[int, list[int], bool]], managed: bool, skip_taskbar: int
    ) -> tuple[list[tuple[int, _WindowInfo]], list[int]]:
        """The windows a taskbar would show, and the frames (of a reparenting manager without
        EWMH) to look inside for the application's own window."""
        listed, frames = [], []
        for window, state, on_screen in shown:
            if not on_screen:
                continue
            info = self._info[window]
            if not info.marked and not managed:
                frames.append(window)
            elif not info.skipped and skip_taskbar not in state:
                listed.append((window, info))
        return listed, frames

    def _framed(self, conn, frames: list[int], skipped_types: set[int], atoms) -> list[tuple[int, _WindowInfo]]:
        """The application window inside each frame of a reparenting manager without EWMH."""
        if not frames:
            return []
        children = [c for kids in conn.children(frames) for c in (kids or [])]
        new = [c for c in children if c not in self._info]
        answers = conn.batch([("property", c, atoms[name]) for c in new for name in _STATIC])
        for index, child in enumerate(new):
            self._info[child] = self._describe(answers[index * len(_STATIC) : (index + 1) * len(_STATIC)], skipped_types)
        return [(c, self._info[c]) for c in children if self._info[c].marked and not self._info[c].skipped]

    def _fetch_icons(self, conn, atoms, windows: list[int]) -> None:
        # Icons rarely change and can be large, so each window's is read once.
        self._icons = {w: i for w, i in self._icons.items() if w in set(windows)}
        new = [w for w in windows if w not in self._icons]
        if not new or not atoms["_NET_WM_ICON"]:
            return
        for window, value in zip(new, conn.properties([(w, atoms["_NET_WM_ICON"]) for w in new]), strict=True):
            self._icons[window] = pick_icon(cardinals(value))

    def related(self, pid: int) -> tuple[tuple[str, ...], set[int]]:
        return linux_cgroups.scope_of(pid)

    def close(self, app: OpenApp) -> bool:
        handles = [w.handle for w in app.windows if w.handle]
        if not handles:
            return False
        conn = self._conn()
        with conn.lock:
            atoms = conn.atoms(_ATOMS)
            supported = cardinals(conn.properties([(conn.root, atoms["_NET_SUPPORTED"])])[0]) if atoms["_NET_SUPPORTED"] else []
            if atoms["_NET_CLOSE_WINDOW"] and atoms["_NET_CLOSE_WINDOW"] in supported:
                mask = EVENT_MASK_SUBSTRUCTURE_REDIRECT | EVENT_MASK_SUBSTRUCTURE_NOTIFY
                # Every window is asked, not just the first that answers: a list, then any().
                sent = [
                    conn.send_client_message(conn.root, h, atoms["_NET_CLOSE_WINDOW"], [CURRENT_TIME, _SOURCE_PAGER], mask)
                    for h in handles
                ]
                return any(sent)
            if not (atoms["WM_PROTOCOLS"] and atoms["WM_DELETE_WINDOW"]):
                return False
            protocols = conn.properties([(h, atoms["WM_PROTOCOLS"]) for h in handles])
            sent = [
                conn.send_client_message(h, h, atoms["WM_PROTOCOLS"], [atoms["WM_DELETE_WINDOW"], CURRENT_TIME], 0)
                for h, value in zip(handles, protocols, strict=True)
                if atoms["WM_DELETE_WINDOW"] in cardinals(value)
            ]
            return any(sent)
