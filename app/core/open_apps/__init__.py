"""The customer's open applications: which could show personal or confidential information, and
closing them politely.

One backend per platform lists windows (or apps) with their process ids — ``windows`` (user32),
``macos`` (NSWorkspace), ``linux_x11`` (EWMH client list or the root window's children), and
``process_list`` where windows cannot be listed — behind :class:`WindowBackend`. ``processes``
takes one psutil snapshot per refresh, ``grouping`` turns both into one row per application with
the ``catalogue``'s friendly names and categories, and ``closing`` holds the close policy and the
consent-record summary. Nothing here imports Qt; the page runs :class:`OpenAppsScanner` in a worker.
"""

from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.catalogue import Catalogue, Entry, default_catalogue
from app.core.open_apps.closing import (
    CloseOutcome,
    CloseTracker,
    ForceNotConfirmed,
    RowState,
    consent_summary,
)
from app.core.open_apps.model import (
    PROTECTED_OTHER_USER,
    PROTECTED_REMOTE_SUPPORT,
    PROTECTED_SHELL,
    AppWindow,
    Icon,
    OpenApp,
    Snapshot,
)
from app.core.open_apps.scanner import OpenAppsScanner, default_backend

__all__ = [
    "PROTECTED_OTHER_USER",
    "PROTECTED_REMOTE_SUPPORT",
    "PROTECTED_SHELL",
    "AppWindow",
    "Catalogue",
    "CloseOutcome",
    "CloseTracker",
    "Entry",
    "ForceNotConfirmed",
    "Icon",
    "OpenApp",
    "OpenAppsScanner",
    "RowState",
    "Snapshot",
    "WindowBackend",
    "consent_summary",
    "default_backend",
    "default_catalogue",
]
