"""Closing applications: the polite way first, by force only when the customer confirms it, and
never what the close policy protects. Plus the state each row is in while that happens."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import psutil

from app.core.consent_record import AppSummary, OpenAppsSummary
from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.model import OpenApp, Snapshot
from app.core.open_apps.processes import owned_by_me


class CloseOutcome(Enum):
    ASKED = "asked"  # the request went out; the application decides (it may ask to save)
    REFUSED = "refused"  # the close policy protects it
    GONE = "gone"  # it had already ended
    FAILED = "failed"  # the system did not let the launcher ask
    # No window to ask, so its main process was told to quit (SIGTERM): many programs then quit
    # without offering to save, and the customer must be told so.
    SIGNALLED = "signalled"


class ForceNotConfirmed(RuntimeError):
    """Force close was asked for without the customer's second confirmation."""


def close_politely(backend: WindowBackend, app: OpenApp) -> CloseOutcome:
    if not app.closable:
        return CloseOutcome.REFUSED
    if backend.close(app):
        return CloseOutcome.ASKED
    main = next((p for p in app.processes if p.pid == app.main_pid), None)
    if main is None or sys.platform.startswith("win"):
        # Windows has no polite signal: TerminateProcess is what Force close is for.
        return CloseOutcome.FAILED
    try:
        main.terminate()  # SIGTERM; psutil refuses if the pid now belongs to another process
    except psutil.NoSuchProcess:
        return CloseOutcome.GONE
    except psutil.Error:
        return CloseOutcome.FAILED
    return CloseOutcome.SIGNALLED


def force_close(
    backend: WindowBackend,
    app: OpenApp,
    confirmed: bool,
    protected_pids: frozenset[int] | set[int] = frozenset(),
    owned: Callable[[int], bool] = owned_by_me,
) -> CloseOutcome:
    """End every process of ``app``; unsaved work is lost, hence ``confirmed``."""
    if not confirmed:
        raise ForceNotConfirmed("Force close needs the customer's confirmation")
    if not app.closable:
        return CloseOutcome.REFUSED
    if backend.force(app):
        return CloseOutcome.ASKED
    killed = denied = 0
    for process in app.processes:
        if process.pid in protected_pids or not owned(process.pid):
            denied += 1
            continue
        try:
            process.kill()
            killed += 1
        except psutil.NoSuchProcess:
            pass
        except psutil.Error:
            denied += 1
    if killed:
        return CloseOutcome.ASKED
    return CloseOutcome.FAILED if denied else CloseOutcome.GONE


class RowState(Enum):
    OPEN = "open"
    CLOSING = "closing"  # asked politely, waiting
    STILL_OPEN = "still-open"  # still running after the wait: may be asking to save; Force close offered
    FORCING = "forcing"  # ended by force, waiting for it to go


@dataclass
class _Request:
    app: OpenApp
    started: float
    state: RowState


class CloseTracker:
    """What happened to each close the customer asked for, from one refresh to the next.

    ``patience`` is how long an application gets to close (or to put up its "save changes?"
    question) before the page says so and offers Force close.
    """

    def __init__(self, patience: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.patience = patience
        self._clock = clock
        self._requests: dict[str, _Request] = {}
        self._closed: dict[str, OpenApp] = {}

    def asked(self, app: OpenApp) -> None:
        self._requests[app.key] = _Request(app, self._clock(), RowState.CLOSING)

    def forcing(self, app: OpenApp) -> None:
        self._requests[app.key] = _Request(app, self._clock(), RowState.FORCING)

    def abandon(self, key: str) -> None:
        """The request could not be sent: the row is simply open again."""
        self._requests.pop(key, None)

    def observe(self, snapshot: Snapshot) -> None:
        open_now = snapshot.by_key()
        for key in [k for k in self._closed if k in open_now]:
            del self._closed[key]  # opened again since: it is open, not closed
        now = self._clock()
        for key, request in list(self._requests.items()):
            if key not in open_now:
                self._closed[key] = request.app
                del self._requests[key]
            elif request.state in (RowState.CLOSING, RowState.FORCING) and now - request.started >= self.patience:
                request.state = RowState.STILL_OPEN

    def state(self, key: str) -> RowState:
        request = self._requests.get(key)
        return request.state if request else RowState.OPEN

    def may_force(self, key: str) -> bool:
        return self.state(key) == RowState.STILL_OPEN

    @property
    def waiting(self) -> bool:
        return any(r.state in (RowState.CLOSING, RowState.FORCING) for r in self._requests.values())

    @property
    def closed(self) -> list[OpenApp]:
        return list(self._closed.values())


def consent_summary(snapshot: Snapshot, tracker: CloseTracker) -> OpenAppsSummary:
    """What the consent record may say: catalogued applications' friendly names and categories
    only, never pids, paths, titles or the names of applications the catalogue does not know."""

    def summaries(apps) -> tuple[AppSummary, ...]:
        unique = {AppSummary(a.name, a.category) for a in apps if a.catalogued}
        return tuple(sorted(unique, key=lambda s: (s.name.casefold(), s.category)))

    return OpenAppsSummary(
        left_open=summaries(a for a in snapshot.apps if a.flagged),
        closed=summaries(tracker.closed),
        windows_listed=snapshot.windows_listed,
    )
