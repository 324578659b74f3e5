"""Platform backends with their system calls faked: Windows (user32), macOS (NSWorkspace), and the
X11 backend's window-manager path (the no-window-manager path runs for real in test_open_apps_x11)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from app.core.open_apps import AppWindow, Icon, OpenApp, default_catalogue
from app.core.open_apps.grouping import group_apps
from app.core.open_apps.linux_x11 import X11Backend
from app.core.open_apps.macos import MacBackend
from app.core.open_apps.processes import ProcessTable
from app.core.open_apps.windows import WS_EX_APPWINDOW, WS_EX_TOOLWINDOW, WindowsBackend, opaque_if_no_alpha
from tests.test_open_apps_core import facts

# --- Windows ------------------------------------------------------------------------------


@dataclass
class Win:
    pid: int
    visible: bool = True
    owner: int = 0
    ex_style: int = 0
    cloaked: bool = False
    class_name: str = "Chrome_WidgetWin_1"
    children: list[int] = field(default_factory=list)


class FakeWin32:
    def __init__(self, windows: dict[int, Win], shell: int = 0) -> None:
        self.windows = windows
        self.shell = shell
        self.posted: list[int] = []
        self.icons_drawn: list[int] = []

    def top_level_windows(self):
        return [h for h in self.windows if not any(h in w.children for w in self.windows.values())]

    def child_windows(self, hwnd):
        return self.windows[hwnd].children

    def is_visible(self, hwnd):
        return self.windows[hwnd].visible

    def owner(self, hwnd):
        return self.windows[hwnd].owner

    def ex_style(self, hwnd):
        return self.windows[hwnd].ex_style

    def is_cloaked(self, hwnd):
        return self.windows[hwnd].cloaked

    def shell_window(self):
        return self.shell

    def class_name(self, hwnd):
        return self.windows[hwnd].class_name

    def pid(self, hwnd):
        return self.windows[hwnd].pid

    def post_close(self, hwnd):
        self.posted.append(hwnd)
        return True

    def icon(self, hwnd):
        self.icons_drawn.append(hwnd)
        if hwnd == 0x21:
            raise OSError("GDI refused")
        return Icon(1, 1, b"\x10\x20\x30\xff")


EXES = {
    1: "explorer.exe", 2: "chrome.exe", 3: "chrome.exe", 4: "OUTLOOK.EXE", 5: "ApplicationFrameHost.exe",
    6: "WhatsApp.exe", 7: "keepass.exe", 8: "TextInputHost.exe", 9: "SearchHost.exe",
}


def windows_fixture() -> FakeWin32:
    return FakeWin32(
        {
            0x10: Win(1, class_name="Progman"),  # the desktop: the shell window
            0x20: Win(2), 0x21: Win(2), 0x22: Win(3, visible=False),  # two Chrome windows, a hidden one
            0x30: Win(4, class_name="rctrl_renwnd32"),
            0x31: Win(4, owner=0x30, class_name="#32770"),  # Outlook's owned dialog: part of its window
            0x40: Win(5, class_name="ApplicationFrameWindow", children=[0x41]),
            0x41: Win(6, class_name="Windows.UI.Core.CoreWindow"),  # WhatsApp inside its frame
            0x50: Win(7, ex_style=WS_EX_TOOLWINDOW),  # a floating tool palette
            0x51: Win(7, ex_style=WS_EX_TOOLWINDOW | WS_EX_APPWINDOW),  # asks for a taskbar button
            0x60: Win(8, cloaked=True),
            0x70: Win(5, class_name="ApplicationFrameWindow", cloaked=True),  # a suspended Store app
        },
        shell=0x10,
    )


def test_windows_lists_what_alt_tab_shows_and_finds_store_apps_behind_the_frame_host():
    backend = WindowsBackend(windows_fixture(), process_name=lambda pid: EXES.get(pid))
    listed = {(w.handle, w.pid) for w in backend.list_windows()}
    assert listed == {(0x20, 2), (0x21, 2), (0x30, 4), (0x40, 6), (0x51, 7)}


def test_windows_icons_are_drawn_once_per_window_and_a_failing_one_is_no_failure():
    api = windows_fixture()
    backend = WindowsBackend(api, process_name=lambda pid: EXES.get(pid))
    first = {w.handle: w.icon for w in backend.list_windows()}
    backend.list_windows()
    assert sorted(api.icons_drawn) == [0x20, 0x21, 0x30, 0x40, 0x51]
    assert first[0x21] is None and first[0x20] == Icon(1, 1, b"\x10\x20\x30\xff")
    # Icons from before alpha channels come out fully transparent; they are shown opaque.
    assert opaque_if_no_alpha(bytes([1, 2, 3, 0, 4, 5, 6, 0])) == bytes([1, 2, 3, 255, 4, 5, 6, 255])
    assert opaque_if_no_alpha(bytes([1, 2, 3, 0, 4, 5, 6, 9])) == bytes([1, 2, 3, 0, 4, 5, 6, 9])


def test_windows_rows_are_named_by_executable_and_closed_with_wm_close():
    api = windows_fixture()
    backend = WindowsBackend(api, process_name=lambda pid: EXES.get(pid))
    tab = ProcessTable(dict(EXES), {})
    apps = {a.name: a for a in group_apps(backend.list_windows(), tab, default_catalogue(), "windows", facts())}
    assert {n: a.category for n, a in apps.items()} == {
        "Google Chrome": "browser", "Microsoft Outlook": "email", "WhatsApp": "messaging", "KeePass": "password-manager",
    }
    assert backend.close(apps["Google Chrome"]) is True
    assert api.posted == [0x20, 0x21]


def test_windows_tray_apps_without_a_taskbar_window_get_wm_close_on_their_hidden_windows():
    api = FakeWin32({0x90: Win(42, visible=False), 0x91: Win(42, visible=False), 0x92: Win(43)})
    backend = WindowsBackend(api, process_name=lambda pid: "signal.exe")
    tray = OpenApp("signal", "Signal", "messaging", True, 42, (42,))
    assert backend.close(tray) is True and api.posted == [0x90, 0x91]
    assert backend.close(OpenApp("x", "X", "other", False, 44, (44,))) is False


# --- macOS --------------------------------------------------------------------------------


class FakeRunningApp:
    def __init__(self, pid, bundle, name, policy=0, terminated=False, answers=True):
        self.pid, self.bundle, self.name, self.policy = pid, bundle, name, policy
        self.terminated, self.answers = terminated, answers
        self.calls: list[str] = []

    def activationPolicy(self):  # noqa: N802 - the AppKit name
        return self.policy

    def isTerminated(self):  # noqa: N802
        return self.terminated

    def processIdentifier(self):  # noqa: N802
        return self.pid

    def bundleIdentifier(self):  # noqa: N802
        return self.bundle

    def localizedName(self):  # noqa: N802
        return self.name

    def terminate(self):
        self.calls.append("terminate")
        return self.answers

    def forceTerminate(self):  # noqa: N802
        self.calls.append("forceTerminate")
        return True


class FakeWorkspace:
    def __init__(self, apps):
        self.apps = apps

    def runningApplications(self):  # noqa: N802
        return self.apps


def test_macos_lists_regular_apps_by_bundle_id_and_quits_them_through_appkit():
    mail = FakeRunningApp(501, "com.apple.mail", "Mail")
    safari = FakeRunningApp(502, "com.apple.Safari", "Safari")
    helper = FakeRunningApp(503, "com.google.Chrome.helper", "Google Chrome Helper", policy=2)
    agent = FakeRunningApp(504, "com.apple.Spotlight", "Spotlight", policy=1)
    gone = FakeRunningApp(505, "com.apple.Notes", "Notes", terminated=True)
    finder = FakeRunningApp(506, "com.apple.finder", "Finder")
    sketch = FakeRunningApp(507, "com.bohemiancoding.sketch3", "Sketch")
    icons = []
    backend = MacBackend(FakeWorkspace([mail, safari, helper, agent, gone, finder, sketch]),
                         icon_of=lambda app: icons.append(app.pid))
    windows = backend.list_windows()
    assert [(w.pid, w.hints) for w in windows] == [
        (501, ("com.apple.mail",)), (502, ("com.apple.Safari",)), (506, ("com.apple.finder",)),
        (507, ("com.bohemiancoding.sketch3",)),
    ]
    backend.list_windows()
    assert icons == [501, 502, 506, 507]  # icons are read once per app, not on every refresh
    names = {501: "Mail", 502: "Safari", 506: "Finder", 507: "Sketch"}
    tab = ProcessTable(names, {})
    apps = {a.name: a for a in group_apps(windows, tab, default_catalogue(), "macos", facts())}
    assert [(a.name, a.category, a.flagged) for a in apps.values()] == [
        ("Mail", "email", True), ("Safari", "browser", True), ("macOS desktop", "other", False), ("Sketch", "other", False),
    ]
    assert apps["macOS desktop"].protected == "shell"  # Finder is part of the desktop: never closed
    assert backend.close(apps["Mail"]) is True and mail.calls == ["terminate"]
    assert backend.force(apps["Safari"]) is True and safari.calls == ["forceTerminate"]


# --- X11 with a window manager ------------------------------------------------------------


class FakeConnection:
    """Answers like an X server with an EWMH window manager (atoms are their names' hashes)."""

    root = 1

    def __init__(self, props: dict[tuple[int, str], tuple[int, bytes]]) -> None:
        self.props = props
        self.sent: list[tuple[int, int, str, list[int], int]] = []
        self.broken = False

        self.lock = contextlib.nullcontext()
        self._names: dict[int, str] = {}

    def atoms(self, names):
        ids = {}
        for name in names:
            ids[name] = abs(hash(name)) % 100000 + 100
            self._names[ids[name]] = name
        return ids

    def properties(self, requests):
        return [self.props.get((w, self._names.get(p, ""))) for w, p in requests]

    def batch(self, requests):
        answers = []
        for kind, window, *rest in requests:
            if kind == "property":
                answers += self.properties([(window, rest[0])])
            elif kind == "children":
                answers += self.children([window])
            else:
                answers += self.attributes([window])
        return answers

    def children(self, windows):
        return [[] for _ in windows]

    def attributes(self, windows):
        return [(True, False) for _ in windows]

    def send_client_message(self, destination, window, message_type, data, event_mask):
        self.sent.append((destination, window, self._names[message_type], list(data), event_mask))
        return True

    def close(self):
        pass


def card(*values) -> tuple[int, bytes]:
    import struct

    return 32, struct.pack(f"={len(values)}I", *values)


def text(*parts) -> tuple[int, bytes]:
    return 8, b"\0".join(p.encode() for p in parts) + b"\0"


def wm_server(close_supported: bool) -> FakeConnection:
    conn = FakeConnection({})
    atom = conn.atoms
    supported = ["_NET_CLIENT_LIST"] + (["_NET_CLOSE_WINDOW"] if close_supported else [])
    conn.props.update(
        {
            (1, "_NET_CLIENT_LIST"): card(0x10, 0x20, 0x30, 0x40),
            (1, "_NET_SUPPORTED"): card(*atom(supported).values()),
            (0x10, "_NET_WM_PID"): card(700), (0x10, "WM_CLASS"): text("Mail", "thunderbird"),
            (0x10, "WM_PROTOCOLS"): card(*atom(["WM_DELETE_WINDOW"]).values()),
            (0x20, "_NET_WM_PID"): card(701),
            (0x20, "_NET_WM_WINDOW_TYPE"): card(*atom(["_NET_WM_WINDOW_TYPE_DOCK"]).values()),
            (0x30, "_NET_WM_PID"): card(702),
            (0x30, "_NET_WM_STATE"): card(*atom(["_NET_WM_STATE_SKIP_TASKBAR"]).values()),
            (0x40, "_NET_WM_PID"): card(700), (0x40, "WM_TRANSIENT_FOR"): card(0x10),
        }
    )
    return conn


def test_x11_uses_the_window_managers_client_list_and_skips_what_a_taskbar_skips():
    conn = wm_server(close_supported=True)
    windows = X11Backend(":0", connect=lambda display: conn).list_windows()
    assert [(w.handle, w.pid, w.hints) for w in windows] == [(0x10, 700, ("thunderbird", "Mail"))]


def test_x11_asks_the_window_manager_to_close_where_it_offers_net_close_window():
    conn = wm_server(close_supported=True)
    backend = X11Backend(":0", connect=lambda display: conn)
    window = AppWindow(700, 0x10)
    assert backend.close(OpenApp("thunderbird", "Thunderbird", "email", True, 700, (700,), (window,)))
    assert [(d, w, t, m) for d, w, t, _data, m in conn.sent] == [(1, 0x10, "_NET_CLOSE_WINDOW", (1 << 19) | (1 << 20))]
    assert conn.sent[0][3][1] == 2  # the request comes from a tool acting for the user


def test_x11_sends_wm_delete_window_to_the_window_when_the_manager_cannot_close_it():
    conn = wm_server(close_supported=False)
    backend = X11Backend(":0", connect=lambda display: conn)
    polite = AppWindow(700, 0x10)
    assert backend.close(OpenApp("thunderbird", "Thunderbird", "email", True, 700, (700,), (polite,)))
    assert [(d, w, t, data[0] == conn.atoms(["WM_DELETE_WINDOW"])["WM_DELETE_WINDOW"], m)
            for d, w, t, data, m in conn.sent] == [(0x10, 0x10, "WM_PROTOCOLS", True, 0)]
    # A window that does not speak WM_DELETE_WINDOW is not sent it: the scanner falls back to SIGTERM.
    conn.sent.clear()
    rude = AppWindow(702, 0x30)
    assert backend.close(OpenApp("x-rude", "Rude", "other", False, 702, (702,), (rude,))) is False
    assert conn.sent == []
