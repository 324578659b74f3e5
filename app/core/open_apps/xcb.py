"""The few X11 requests the window list needs, through libxcb and ctypes.

libxcb is there wherever Qt draws on X11 (its xcb platform plugin links it), so this adds no
dependency to the launcher. xcb rather than Xlib because an X error (a window that vanished
between two requests) comes back with the one reply instead of through Xlib's process-wide
error handler, and because requests can be sent in a batch and their replies read afterwards,
which keeps a refresh to a single round trip per batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import struct
import threading
from collections.abc import Iterable, Sequence

NONE = 0
ANY_PROPERTY_TYPE = 0
CURRENT_TIME = 0
CLIENT_MESSAGE = 33
MAP_STATE_VIEWABLE = 2
EVENT_MASK_SUBSTRUCTURE_NOTIFY = 1 << 19
EVENT_MASK_SUBSTRUCTURE_REDIRECT = 1 << 20
# Longest property read, in 32-bit units: enough for a few icon sizes, bounded against huge ones.
MAX_PROPERTY_LONGS = 1 << 18


class XcbUnavailable(OSError):
    """No X server to talk to (no libxcb, no DISPLAY, or the connection failed)."""


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _InternAtomReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("pad0", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("atom", ctypes.c_uint32),
    ]


class _GetPropertyReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("format", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("type", ctypes.c_uint32),
        ("bytes_after", ctypes.c_uint32),
        ("value_len", ctypes.c_uint32),
        ("pad0", ctypes.c_uint8 * 12),
    ]


class _QueryTreeReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("pad0", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("root", ctypes.c_uint32),
        ("parent", ctypes.c_uint32),
        ("children_len", ctypes.c_uint16),
        ("pad1", ctypes.c_uint8 * 14),
    ]


class _WindowAttributesReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("backing_store", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("visual", ctypes.c_uint32),
        ("_class", ctypes.c_uint16),
        ("bit_gravity", ctypes.c_uint8),
        ("win_gravity", ctypes.c_uint8),
        ("backing_planes", ctypes.c_uint32),
        ("backing_pixel", ctypes.c_uint32),
        ("save_under", ctypes.c_uint8),
        ("map_is_installed", ctypes.c_uint8),
        ("map_state", ctypes.c_uint8),
        ("override_redirect", ctypes.c_uint8),
        ("colormap", ctypes.c_uint32),
        ("all_event_masks", ctypes.c_uint32),
        ("your_event_mask", ctypes.c_uint32),
        ("do_not_propagate_mask", ctypes.c_uint16),
        ("pad0", ctypes.c_uint8 * 2),
    ]


_lib: ctypes.CDLL | None = None
_libc: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


def _load() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    global _lib, _libc
    with _lib_lock:
        if _lib is None:
            name = ctypes.util.find_library("xcb") or "libxcb.so.1"
            try:
                lib = ctypes.CDLL(name)
            except OSError as error:
                raise XcbUnavailable(f"libxcb could not be loaded: {error}") from error
            vp, u8, u16, u32 = ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32
            err = ctypes.POINTER(ctypes.c_void_p)
            signatures = {
                "xcb_connect": (vp, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
                "xcb_connection_has_error": (ctypes.c_int, [vp]),
                "xcb_disconnect": (None, [vp]),
                "xcb_flush": (ctypes.c_int, [vp]),
                "xcb_get_setup": (vp, [vp]),
                "xcb_setup_roots_iterator": (_ScreenIterator, [vp]),
                "xcb_screen_next": (None, [ctypes.POINTER(_ScreenIterator)]),
                "xcb_intern_atom": (_Cookie, [vp, u8, u16, ctypes.c_char_p]),
                "xcb_intern_atom_reply": (ctypes.POINTER(_InternAtomReply), [vp, _Cookie, err]),
                "xcb_get_property": (_Cookie, [vp, u8, u32, u32, u32, u32, u32]),
                "xcb_get_property_reply": (ctypes.POINTER(_GetPropertyReply), [vp, _Cookie, err]),
                "xcb_get_property_value": (vp, [ctypes.POINTER(_GetPropertyReply)]),
                "xcb_get_property_value_length": (ctypes.c_int, [ctypes.POINTER(_GetPropertyReply)]),
                "xcb_query_tree": (_Cookie, [vp, u32]),
                "xcb_query_tree_reply": (ctypes.POINTER(_QueryTreeReply), [vp, _Cookie, err]),
                "xcb_query_tree_children": (ctypes.POINTER(u32), [ctypes.POINTER(_QueryTreeReply)]),
                "xcb_query_tree_children_length": (ctypes.c_int, [ctypes.POINTER(_QueryTreeReply)]),
                "xcb_get_window_attributes": (_Cookie, [vp, u32]),
                "xcb_get_window_attributes_reply": (ctypes.POINTER(_WindowAttributesReply), [vp, _Cookie, err]),
                "xcb_send_event_checked": (_Cookie, [vp, u8, u32, u32, ctypes.c_char_p]),
                "xcb_request_check": (vp, [vp, _Cookie]),
            }
            for function, (restype, argtypes) in signatures.items():
                fn = getattr(lib, function)
                fn.restype, fn.argtypes = restype, argtypes
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.free.restype, libc.free.argtypes = None, [ctypes.c_void_p]
            _lib, _libc = lib, libc
        assert _libc is not None  # loaded together with _lib
        return _lib, _libc


class Connection:
    """One connection to an X server; xcb is thread-safe, and the lock keeps batches whole."""

    def __init__(self, display: str | None = None) -> None:
        self._xcb, self._libc = _load()
        screen = ctypes.c_int(0)
        self._c = self._xcb.xcb_connect(display.encode() if display else None, ctypes.byref(screen))
        if not self._c or self._xcb.xcb_connection_has_error(self._c):
            if self._c:
                self._xcb.xcb_disconnect(self._c)
            self._c = None
            raise XcbUnavailable(f"could not connect to the X server {display or ''}".strip())
        iterator = self._xcb.xcb_setup_roots_iterator(self._xcb.xcb_get_setup(self._c))
        for _ in range(screen.value):
            self._xcb.xcb_screen_next(ctypes.byref(iterator))
        # The root window id is the first field of xcb_screen_t.
        self.root = ctypes.c_uint32.from_address(iterator.data).value
        self._atoms: dict[str, int] = {}
        self.lock = threading.RLock()

    @property
    def broken(self) -> bool:
        return self._c is None or bool(self._xcb.xcb_connection_has_error(self._c))

    def close(self) -> None:
        if self._c:
            self._xcb.xcb_disconnect(self._c)
            self._c = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _reply(self, function, cookie):
        error = ctypes.c_void_p()
        reply = function(self._c, cookie, ctypes.byref(error))
        if error.value:
            self._libc.free(error)
        return reply if reply else None

    def atoms(self, names: Iterable[str]) -> dict[str, int]:
        """Atom ids by name, asked in one batch and cached for the connection's life.

        Atoms are interned (created if new) rather than looked up: the standard names cost the
        server nothing, and a known id for every name spares a round trip per missing atom on
        every refresh; 0 only where the server refused."""
        names = list(names)
        missing = [n for n in dict.fromkeys(names) if n not in self._atoms]
        cookies = [(n, self._xcb.xcb_intern_atom(self._c, 0, len(n), n.encode())) for n in missing]
        for name, cookie in cookies:
            reply = self._reply(self._xcb.xcb_intern_atom_reply, cookie)
            if reply is not None:
                self._atoms[name] = reply.contents.atom
                self._libc.free(reply)
        return {n: self._atoms.get(n, 0) for n in names}

    def batch(self, requests: Sequence[tuple]) -> list:
        """Answers to several requests for one round trip: all go out before the first reply is
        read. Each request is ``("property", window, atom)`` → ``(format, bytes)``,
        ``("children", window)`` → child ids bottom to top, or ``("attributes", window)`` →
        ``(viewable, override_redirect)``; None where the window or property is missing."""
        xcb, c = self._xcb, self._c
        cookies = []
        for kind, window, *rest in requests:
            if kind == "property":
                cookies.append(xcb.xcb_get_property(c, 0, window, rest[0], ANY_PROPERTY_TYPE, 0, MAX_PROPERTY_LONGS))
            elif kind == "children":
                cookies.append(xcb.xcb_query_tree(c, window))
            else:
                cookies.append(xcb.xcb_get_window_attributes(c, window))
        return [self._read(kind, cookie) for (kind, *_rest), cookie in zip(requests, cookies, strict=True)]

    def _read(self, kind: str, cookie):
        xcb = self._xcb
        function = {
            "property": xcb.xcb_get_property_reply,
            "children": xcb.xcb_query_tree_reply,
            "attributes": xcb.xcb_get_window_attributes_reply,
        }[kind]
        reply = self._reply(function, cookie)
        if reply is None:
            return None
        try:
            if kind == "property":
                if reply.contents.type == NONE:
                    return None
                length = xcb.xcb_get_property_value_length(reply)
                return reply.contents.format, ctypes.string_at(xcb.xcb_get_property_value(reply), length)
            if kind == "children":
                ids = xcb.xcb_query_tree_children(reply)
                return [ids[i] for i in range(xcb.xcb_query_tree_children_length(reply))]
            return reply.contents.map_state == MAP_STATE_VIEWABLE, bool(reply.contents.override_redirect)
        finally:
            self._libc.free(reply)

    def properties(self, requests: Sequence[tuple[int, int]]) -> list[tuple[int, bytes] | None]:
        """For each (window, property) the (format, raw value), or None where either is missing."""
        return self.batch([("property", window, prop) for window, prop in requests])

    def children(self, windows: Sequence[int]) -> list[list[int] | None]:
        return self.batch([("children", w) for w in windows])

    def attributes(self, windows: Sequence[int]) -> list[tuple[bool, bool] | None]:
        return self.batch([("attributes", w) for w in windows])

    def send_client_message(
        self, destination: int, window: int, message_type: int, data: Sequence[int], event_mask: int
    ) -> bool:
        """Send a 32-bit ClientMessage about ``window`` to ``destination``; False if the server refused it."""
        words = (list(data) + [0] * 5)[:5]
        event = struct.pack("=BBHII5I", CLIENT_MESSAGE, 32, 0, window, message_type, *words)
        cookie = self._xcb.xcb_send_event_checked(self._c, 0, destination, event_mask, event)
        error = self._xcb.xcb_request_check(self._c, cookie)
        if error:
            self._libc.free(error)
            return False
        return True


def cardinals(value: tuple[int, bytes] | None) -> list[int]:
    """A 32-bit property's values (xcb hands them as 4-byte native integers)."""
    if value is None or value[0] != 32:
        return []
    data = value[1]
    return list(struct.unpack(f"={len(data) // 4}I", data[: len(data) // 4 * 4]))


def strings(value: tuple[int, bytes] | None) -> list[str]:
    """An 8-bit property's NUL-separated strings (WM_CLASS holds instance then class)."""
    if value is None or value[0] != 8:
        return []
    return [part.decode("utf-8", "replace") for part in value[1].split(b"\0") if part]
