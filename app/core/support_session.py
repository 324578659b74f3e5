"""The live support session on this computer: the provider's customer-side program, seen
running, and ended when the customer asks (politely first, then by force).

Qt-free; every call happens on a worker thread. The programs come from
``resources/support_programs.json`` (:mod:`app.core.support_programs`); closing uses the Open apps
machinery (:mod:`app.core.open_apps.closing`) with the customer's one confirmation standing for
both the polite close and the force that follows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from app.core.open_apps import processes
from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.closing import CloseOutcome, close_politely, force_close
from app.core.open_apps.model import OpenApp
from app.core.open_apps.processes import ProcessTable
from app.core.support_programs import SupportPrograms, default_support_programs

# How long the program gets to close when asked, and again after it was ended by force.
PATIENCE_S = 3.0
_POLL_S = 0.2


@dataclass(frozen=True)
class EndOutcome:
    gone: bool  # the program no longer runs
    forced: bool  # it did not close when asked and was ended


class SupportWatch:
    """Whether ``provider``'s program runs here, and the means to end it."""

    def __init__(
        self,
        provider: str,
        backend: WindowBackend,
        *,
        programs: SupportPrograms | None = None,
        take_snapshot: Callable[[], ProcessTable] = processes.snapshot,
        owned: Callable[[int], bool] = processes.owned_by_me,
        own_lineage: Callable[[], set[int]] = processes.own_lineage,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.backend = backend
        self.programs = programs if programs is not None else default_support_programs()
        self._take_snapshot = take_snapshot
        self._owned = owned
        self._own_lineage = own_lineage
        self._sleep = sleep
        self._clock = clock

    @property
    def watches_anything(self) -> bool:
        """False for a provider with no program on this system (the demo): nothing to watch."""
        provider = self.programs.provider(self.provider)
        return provider is not None and bool(provider.programs.get(self.backend.platform))

    def running(self) -> OpenApp | None:
        """The program as one application (its processes and windows), or None when it does not run."""
        table = self._take_snapshot()
        pids = {pid for pid, name in table.names.items() if self._is_program(table, pid, name)}
        windows: list = []
        if pids or self.backend.platform == "macos":
            windows = [w for w in self._windows() if w.pid in pids or self._hinted(w.hints)]
            pids |= {w.pid for w in windows}
        pids = {p for p in pids if self._owned(p)} - self._own_lineage()
        if not pids:
            return None
        pids |= processes.descendants(table, pids)
        windows = [w for w in windows if w.pid in pids]
        main = min(pids, key=lambda pid: (table.processes.get(pid) is None, _started(table, pid), pid))
        return OpenApp(
            key=self.provider,
            name=self.provider,
            category="other",
            catalogued=True,
            main_pid=main,
            pids=tuple(sorted(pids)),
            windows=tuple(windows),
            processes=tuple(table.processes[p] for p in sorted(pids) if p in table.processes),
        )

    def end(self, patience: float = PATIENCE_S) -> EndOutcome:
        """Close the program: ask it as its own window would, and if it still runs after
        ``patience`` seconds, end it. The customer confirmed once, for both."""
        app = self.running()
        if app is None:
            return EndOutcome(gone=True, forced=False)
        outcome = close_politely(self.backend, app)
        if outcome is not CloseOutcome.GONE and not self._gone_within(patience):
            still = self.running()
            if still is not None:
                force_close(self.backend, still, confirmed=True, protected_pids=self._own_lineage(), owned=self._owned)
                return EndOutcome(gone=self._gone_within(patience), forced=True)
        return EndOutcome(gone=True, forced=False)

    def _gone_within(self, seconds: float) -> bool:
        deadline = self._clock() + seconds
        while self.running() is not None:
            if self._clock() >= deadline:
                return False
            self._sleep(_POLL_S)
        return True

    def _is_program(self, table: ProcessTable, pid: int, name: str) -> bool:
        return self.programs.is_program(self.provider, self.backend.platform, name, lambda: _executable(table, pid))

    def _hinted(self, hints: tuple[str, ...]) -> bool:
        return any(self.programs.is_program(self.provider, self.backend.platform, hint) for hint in hints)

    def _windows(self) -> list:
        try:
            return list(self.backend.list_windows())
        except OSError:
            return []  # the display went away: the processes still tell


def _executable(table: ProcessTable, pid: int) -> str | None:
    process = table.processes.get(pid)
    try:
        return process.exe() if process is not None else None
    except psutil.Error:
        return None


def _started(table: ProcessTable, pid: int) -> float:
    process = table.processes.get(pid)
    try:
        return process.create_time() if process is not None else 0.0
    except psutil.Error:
        return 0.0
