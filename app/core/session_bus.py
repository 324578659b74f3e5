"""What the launcher does on a Linux desktop that runs no D-Bus session bus: it goes without one.

Qt's accessibility bridge and desktop theme ask for the session bus as soon as the first window
opens. Where none runs (no ``DBUS_SESSION_BUS_ADDRESS``, no ``$XDG_RUNTIME_DIR/bus``) libdbus
"autolaunches" one through Debian's ``dbus-x11``: a ``dbus-daemon`` that outlives the launcher and a
file ``~/.dbus/session-bus/<machine id>-<display>``. A launcher that must leave nothing behind
cannot start a daemon for the customer's account, and it needs nothing from a bus it would start
itself: there would be no screen reader or portal on it. So, only there, the launcher's own
environment says the session bus is disabled (libdbus's ``disabled:`` address), and Qt carries on
without it. A desktop that has a session bus is used as it is.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import MutableMapping

ADDRESS = "DBUS_SESSION_BUS_ADDRESS"
DISABLED = "disabled:"


def session_bus_running(environ: MutableMapping[str, str]) -> bool:
    """Whether a session bus can be found without starting one."""
    if environ.get(ADDRESS, "").strip():
        return True
    runtime = environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        return False
    try:
        return stat.S_ISSOCK(os.stat(os.path.join(runtime, "bus")).st_mode)
    except OSError:
        return False


def never_autolaunch_a_session_bus(environ: MutableMapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Disable the session bus for this process where none runs; True when it did so.

    Call before Qt is loaded. Windows and macOS have no autolaunch of this kind.
    """
    if platform in ("win32", "darwin") or session_bus_running(environ):
        return False
    environ[ADDRESS] = DISABLED
    return True
