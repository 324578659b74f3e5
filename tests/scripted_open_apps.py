"""A scripted stand-in for what is open on the computer, and a clock the test moves.

The wizard's tests use these instead of the machine's real process table and real time, so what
else happens to run where the tests run (a stand-in LibreOffice from another checkout, say)
changes nothing, and nothing waits for seconds to pass.
"""

from __future__ import annotations

import threading

from app.core.open_apps import AppWindow, CloseOutcome, OpenApp, Snapshot


def make_app(key, name, category="other", catalogued=None, protected=None, pid=10) -> OpenApp:
    catalogued = category != "other" if catalogued is None else catalogued
    return OpenApp(key, name, category, catalogued, pid, (pid,), (AppWindow(pid, pid),), protected)


THUNDERBIRD = make_app("thunderbird", "Thunderbird", "email", pid=11)
KEEPASSXC = make_app("keepassxc", "KeePassXC", "password-manager", pid=12)
FIREFOX = make_app("firefox", "Firefox", "browser", pid=13)
CALCULATOR = make_app("x-calc", "Calculator", pid=14)


class ScriptedScanner:
    """Answers scans from a list the test changes; records where and what it was asked."""

    def __init__(self, apps=(), windows_listed=True) -> None:
        self.apps = list(apps)
        self.windows_listed = windows_listed
        self.scans = 0
        self.threads: set[threading.Thread] = set()
        self.closed: list[str] = []
        self.forced: list[str] = []

    def scan(self) -> Snapshot:
        self.scans += 1
        self.threads.add(threading.current_thread())
        return Snapshot(tuple(self.apps), self.windows_listed)

    def close(self, app) -> CloseOutcome:
        self.threads.add(threading.current_thread())
        self.closed.append(app.key)
        return CloseOutcome.ASKED

    def force_close(self, app, confirmed) -> CloseOutcome:
        assert confirmed
        self.forced.append(app.key)
        self.apps = [a for a in self.apps if a.key != app.key]
        return CloseOutcome.ASKED


class ManualClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def no_support_program(provider: str):
    """A support watch that never sees the provider's program, whatever runs on this machine."""
    from app.core.open_apps.process_list import ProcessListBackend
    from app.core.open_apps.processes import ProcessTable
    from app.core.support_session import SupportWatch

    return SupportWatch(provider, ProcessListBackend("linux"), take_snapshot=lambda: ProcessTable({}, {}))
