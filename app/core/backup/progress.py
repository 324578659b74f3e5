"""How a long backup check reports how far it is and learns that the customer pressed Cancel.

The check runs in a worker thread; it reports through a plain callable and reads a flag with an
``is_set()`` method (a :class:`threading.Event` does), so it needs nothing from Qt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

WALKING = "walking"
COMPARING = "comparing"
HASHING = "hashing"


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


class Cancelled(Exception):
    """Raised inside the check when the customer cancelled; the verifier turns it into a result."""


def check_cancel(flag: CancelFlag | None) -> None:
    if flag is not None and flag.is_set():
        raise Cancelled


@dataclass(frozen=True)
class Progress:
    phase: str
    done: int
    total: int | None  # None while the size of the work is not known yet (the walk)
    files_seen: int


class Throttle:
    """Passes reports on at most once per ``interval`` seconds, so a fast walk cannot flood the
    GUI thread's event queue; a new phase always goes through at once."""

    def __init__(
        self,
        report: Callable[[Progress], None] | None,
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._report = report
        self._interval = interval
        self._clock = clock
        self._last = float("-inf")
        self._phase: str | None = None

    def __call__(self, progress: Progress) -> None:
        if self._report is None:
            return
        now = self._clock()
        if progress.phase != self._phase or now - self._last >= self._interval:
            self._phase = progress.phase
            self._last = now
            self._report(progress)
