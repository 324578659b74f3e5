"""Windows: the windows Alt+Tab and the taskbar show, through user32 and dwmapi with ctypes.

A window counts when it is visible, has no owner, is not a tool window (unless it asks for a
taskbar button with WS_EX_APPWINDOW), is not cloaked (hidden UWP frames and windows on other
virtual desktops are), and is not the shell's desktop window. Store apps draw inside a frame
owned by ApplicationFrameHost.exe; the app's own process is the owner of the frame's
``Windows.UI.Core.CoreWindow`` child. Polite close posts ``WM_CLOSE``, as the title bar's X does.

The system calls sit behind :class:`Win32`, so the rules are tested with a fake on any platform.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.model import AppWindow, Icon, OpenApp

GW_OWNER = 4
GWL_EXSTYLE = -20
WS_EX_TOOLWINDOW = 0x00000080
WS_EX_APPWINDOW = 0x00040000
WS_EX_NOACTIVATE = 0x08000000
WM_CLOSE = 0x0010
DWMWA_CLOAKED = 14
FRAME_HOST = "applicationframehost.exe"
CORE_WINDOW_CLASS = "Windows.UI.Core.CoreWindow"


WM_GETICON = 0x007F
ICON_SMALL, ICON_BIG, ICON_SMALL2 = 0, 1, 2
GCLP_HICON, GCLP_HICONSM = -14, -34
SMTO_ABORTIFHUNG = 0x0002
DI_NORMAL = 0x0003
ICON_SIZE = 32


def opaque_if_no_alpha(bgra: bytes) -> bytes:
    """Icons from before alpha channels draw with alpha 0 everywhere: show them opaque."""
    if any(bgra[3::4]):
        return bgra
    pixels = bytearray(bgra)
    pixels[3::4] = b"\xff" * (len(pixels) // 4)
    return bytes(pixels)


class _BitmapInfoHeader(ctypes.Structure):
    _fields_ = [
        ("biSize", ctypes.c_uint32), ("biWidth", ctypes.c_int32), ("biHeight", ctypes.c_int32),
        ("biPlanes", ctypes.c_uint16), ("biBitCount", ctypes.c_uint16), ("biCompression", ctypes.c_uint32),
        ("biSizeImage", ctypes.c_uint32), ("biXPelsPerMeter", ctypes.c_int32), ("biYPelsPerMeter", ctypes.c_int32),
        ("biClrUsed", ctypes.c_uint32), ("biClrImportant", ctypes.c_uint32),
    ]


class Win32:
    """The user32/dwmapi calls the backend makes. Only constructed on Windows."""

    # Declared here because a type checker on another system skips the Windows-only __init__.
    user32: Any
    dwmapi: Any
    gdi32: Any
    _enum_proc: Any

    def __init__(self) -> None:
        if sys.platform != "win32":
            raise OSError("user32 exists only on Windows")
        from ctypes import wintypes

        self._ctypes, self._wintypes = ctypes, wintypes
        self.user32 = ctypes.WinDLL("user32", use_last_error=True)
        self.dwmapi = ctypes.WinDLL("dwmapi")
        self._enum_proc = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
        self.user32.GetWindowLongPtrW.restype = ctypes.c_ssize_t
        self.user32.GetWindowLongPtrW.argtypes = [wintypes.HWND, ctypes.c_int]
        self.user32.GetWindow.restype = wintypes.HWND
        self.user32.GetShellWindow.restype = wintypes.HWND
        self.user32.PostMessageW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
        self.user32.SendMessageTimeoutW.restype = ctypes.c_ssize_t
        self.user32.SendMessageTimeoutW.argtypes = [
            wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM, wintypes.UINT, wintypes.UINT,
            ctypes.POINTER(wintypes.WPARAM),
        ]
        self.user32.GetClassLongPtrW.restype = ctypes.c_size_t
        self.user32.GetClassLongPtrW.argtypes = [wintypes.HWND, ctypes.c_int]
        self.user32.DrawIconEx.restype = wintypes.BOOL
        self.user32.DrawIconEx.argtypes = [
            wintypes.HDC, ctypes.c_int, ctypes.c_int, wintypes.HANDLE, ctypes.c_int, ctypes.c_int, wintypes.UINT,
            wintypes.HANDLE, wintypes.UINT,
        ]
        self.gdi32 = ctypes.WinDLL("gdi32")
        self.gdi32.CreateCompatibleDC.restype = wintypes.HDC
        self.gdi32.CreateCompatibleDC.argtypes = [wintypes.HDC]
        self.gdi32.CreateDIBSection.restype = wintypes.HANDLE
        self.gdi32.CreateDIBSection.argtypes = [
            wintypes.HDC, ctypes.c_void_p, wintypes.UINT, ctypes.POINTER(ctypes.c_void_p), wintypes.HANDLE, wintypes.DWORD,
        ]
        self.gdi32.SelectObject.restype = wintypes.HANDLE
        self.gdi32.SelectObject.argtypes = [wintypes.HDC, wintypes.HANDLE]
        self.gdi32.DeleteObject.argtypes = [wintypes.HANDLE]
        self.gdi32.DeleteDC.argtypes = [wintypes.HDC]

    def _collect(self, enum, *args) -> list[int]:
        found: list[int] = []

        def callback(hwnd, _lparam):
            found.append(int(hwnd))
            return True

        enum(*args, self._enum_proc(callback), 0)
        return found

    def top_level_windows(self) -> list[int]:
        return self._collect(self.user32.EnumWindows)

    def child_windows(self, hwnd: int) -> list[int]:
        return self._collect(self.user32.EnumChildWindows, self._wintypes.HWND(hwnd))

    def is_visible(self, hwnd: int) -> bool:
        return bool(self.user32.IsWindowVisible(hwnd))

    def owner(self, hwnd: int) -> int:
        return int(self.user32.GetWindow(hwnd, GW_OWNER) or 0)

    def ex_style(self, hwnd: int) -> int:
        return int(self.user32.GetWindowLongPtrW(hwnd, GWL_EXSTYLE))

    def is_cloaked(self, hwnd: int) -> bool:
        cloaked = self._wintypes.DWORD(0)
        result = self.dwmapi.DwmGetWindowAttribute(
            self._wintypes.HWND(hwnd), DWMWA_CLOAKED, self._ctypes.byref(cloaked), self._ctypes.sizeof(cloaked)
        )
        return result == 0 and cloaked.value != 0

    def shell_window(self) -> int:
        return int(self.user32.GetShellWindow() or 0)

    def class_name(self, hwnd: int) -> str:
        buffer = self._ctypes.create_unicode_buffer(256)
        self.user32.GetClassNameW(hwnd, buffer, 256)
        return buffer.value

    def pid(self, hwnd: int) -> int:
        pid = self._wintypes.DWORD(0)
        self.user32.GetWindowThreadProcessId(hwnd, self._ctypes.byref(pid))
        return pid.value

    def post_close(self, hwnd: int) -> bool:
        return bool(self.user32.PostMessageW(hwnd, WM_CLOSE, 0, 0))

    def _icon_handle(self, hwnd: int) -> int:
        """The window's small icon, else its class's: the one the taskbar and Alt+Tab show."""
        result = self._wintypes.WPARAM(0)
        for which in (ICON_SMALL2, ICON_SMALL, ICON_BIG):
            # A hung window must not hang the scan: give it a few milliseconds to answer.
            answered = self.user32.SendMessageTimeoutW(
                hwnd, WM_GETICON, which, 0, SMTO_ABORTIFHUNG, 50, self._ctypes.byref(result)
            )
            if answered and result.value:
                return result.value
        for index in (GCLP_HICONSM, GCLP_HICON):
            handle = self.user32.GetClassLongPtrW(hwnd, index)
            if handle:
                return handle
        return 0

    def icon(self, hwnd: int) -> Icon | None:
        """The icon drawn into a 32-bit top-down DIB: BGRA bytes, which are native ARGB32 words."""
        handle = self._icon_handle(hwnd)
        if not handle:
            return None
        ctypes, gdi32, user32 = self._ctypes, self.gdi32, self.user32
        header = _BitmapInfoHeader(ctypes.sizeof(_BitmapInfoHeader), ICON_SIZE, -ICON_SIZE, 1, 32, 0, 0, 0, 0, 0, 0)
        bits = ctypes.c_void_p()
        dc = gdi32.CreateCompatibleDC(None)
        if not dc:
            return None
        try:
            bitmap = gdi32.CreateDIBSection(dc, ctypes.byref(header), 0, ctypes.byref(bits), None, 0)
            if not bitmap or not bits.value:
                return None
            try:
                previous = gdi32.SelectObject(dc, bitmap)
                drawn = user32.DrawIconEx(dc, 0, 0, handle, ICON_SIZE, ICON_SIZE, 0, None, DI_NORMAL)
                gdi32.GdiFlush()
                data = ctypes.string_at(bits.value, ICON_SIZE * ICON_SIZE * 4)
                gdi32.SelectObject(dc, previous)
            finally:
                gdi32.DeleteObject(bitmap)
        finally:
            gdi32.DeleteDC(dc)
        return Icon(ICON_SIZE, ICON_SIZE, opaque_if_no_alpha(data)) if drawn else None


class WindowsBackend(WindowBackend):
    platform = "windows"
    windows_listed = True

    def __init__(self, api: Win32 | None = None, process_name=None) -> None:
        self.api = api if api is not None else Win32()
        self._process_name = process_name or _process_name
        self._icons: dict[int, Icon | None] = {}

    def _icon(self, hwnd: int) -> Icon | None:
        # Drawn once per window: GDI work on every refresh would cost more than the scan itself.
        if hwnd not in self._icons:
            try:
                self._icons[hwnd] = self.api.icon(hwnd)
            except (OSError, ValueError, ctypes.ArgumentError):
                self._icons[hwnd] = None  # an icon is a nicety: the row shows a generic one
        return self._icons[hwnd]

    def _is_app_window(self, hwnd: int, shell: int) -> bool:
        api = self.api
        if hwnd == shell or not api.is_visible(hwnd) or api.owner(hwnd):
            return False
        style = api.ex_style(hwnd)
        if style & WS_EX_APPWINDOW == 0 and style & (WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE):
            return False
        return not api.is_cloaked(hwnd)

    def _app_pid(self, hwnd: int) -> int:
        pid = self.api.pid(hwnd)
        if (self._process_name(pid) or "").lower() != FRAME_HOST:
            return pid
        for child in self.api.child_windows(hwnd):
            child_pid = self.api.pid(child)
            if child_pid != pid and self.api.class_name(child) == CORE_WINDOW_CLASS:
                return child_pid
        # A suspended Store app has no CoreWindow in its frame: the row is the frame host's,
        # which the catalogue protects, so it is shown but never closed from the page.
        return pid

    def list_windows(self) -> list[AppWindow]:
        shell = self.api.shell_window()
        windows = [hwnd for hwnd in self.api.top_level_windows() if self._is_app_window(hwnd, shell)]
        self._icons = {hwnd: icon for hwnd, icon in self._icons.items() if hwnd in set(windows)}
        return [AppWindow(pid=self._app_pid(hwnd), handle=hwnd, icon=self._icon(hwnd)) for hwnd in windows]

    def close(self, app: OpenApp) -> bool:
        handles = [w.handle for w in app.windows if w.handle]
        if not handles:
            # No taskbar window (a tray app): post WM_CLOSE to the process's hidden top-level
            # windows, as taskkill without /F does.
            pids = set(app.pids)
            handles = [h for h in self.api.top_level_windows() if self.api.pid(h) in pids]
        # Every window is asked, not just the first that answers: a list, then any().
        posted = [self.api.post_close(h) for h in handles]
        return any(posted)


def _process_name(pid: int) -> str | None:
    import psutil

    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return None
