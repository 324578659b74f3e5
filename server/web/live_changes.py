"""Wakes the console's waiting live requests when a session changes in this process.

A session page asks ``/console/sessions/<code>/live?since=<version>`` and the answer waits until
the session's version differs (or a while has passed). A write in this process (a step report,
a consent, a cancel) wakes every waiter at once, so the change shows within milliseconds; each
waiter also looks again every :data:`RECHECK_SECONDS`, which covers writes made by another
server process on the same database.
"""

from __future__ import annotations

import asyncio
import threading

RECHECK_SECONDS = 0.25


class LiveChanges:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._lock = threading.Lock()

    def _current(self) -> asyncio.Event:
        with self._lock:
            if self._event is None:
                self._loop = asyncio.get_running_loop()
                self._event = asyncio.Event()
            return self._event

    def _wake(self) -> None:
        with self._lock:
            event, self._event = self._event, asyncio.Event()
        if event is not None:
            event.set()

    def changed(self) -> None:
        """Something a console may show has changed; callable from any thread."""
        with self._lock:
            loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake()
        else:
            loop.call_soon_threadsafe(self._wake)

    def next_change(self) -> asyncio.Event:
        """Set at the next change. Take it *before* reading the state it guards, so a change
        between the read and the wait is not missed."""
        return self._current()

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float = RECHECK_SECONDS) -> None:
        """Until ``event`` (from :meth:`next_change`) is set, or ``timeout`` seconds."""
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
