"""Tell the technician's console which step the customer is on: best effort, off the GUI thread.

The wizard hands events to :meth:`StepReporter.report`, which only queues them and returns. One
daemon thread sends them in order. A report that fails is tried a few times, then dropped: the
technician's view is a convenience, and the customer is never held up or shown anything because
of it. Each event carries its own id, so a repeat after a lost answer is stored once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from app.core.consent_client import ServerError
from app.core.step_event import StepEvent

log = logging.getLogger(__name__)

ATTEMPTS = 3
PAUSE_SECONDS = 0.5
# Far more than a journey makes; a flood (a bug) is cut rather than queued without end.
MAX_QUEUED = 100

Send = Callable[[str, StepEvent], None]


class StepReporter:
    def __init__(
        self,
        send: Send,
        *,
        attempts: int = ATTEMPTS,
        pause: float = PAUSE_SECONDS,
        on_refused: Callable[[str, str], None] | None = None,
    ) -> None:
        """``send(code, event)`` posts one event (``ConsentClient.report_step``). ``on_refused(code,
        error)`` is called, on the reporter's thread, when the server refuses a report for good
        (for example ``cancelled``), so the launcher may react; it must not touch widgets."""
        self._send = send
        self._attempts = attempts
        self._pause = pause
        self._on_refused = on_refused
        self._queue: queue.Queue[tuple[str, StepEvent] | None] = queue.Queue(MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._once: set[tuple[str, str]] = set()
        self.sent: list[StepEvent] = []  # what the server acknowledged, in order (for the self-check and tests)

    def report(self, code: str, event: StepEvent) -> None:
        """Queue ``event`` for session ``code``; never blocks."""
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="step-reports", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((code, event))
        except queue.Full:
            log.info("step report %s dropped: too many waiting", event.step)

    def report_once(self, code: str, event: StepEvent) -> None:
        """Queue ``event`` unless a report of the same step was already queued for ``code``: checking
        the same code again must not tell the technician the launcher started twice."""
        with self._lock:
            if (code, event.step) in self._once:
                return
            self._once.add((code, event.step))
        self.report(code, event)

    def close(self, timeout: float = 1.0) -> None:
        """Send what is queued for at most ``timeout`` seconds, then stop."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is None:
            return
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            code, event = item
            self._deliver(code, event)

    def _deliver(self, code: str, event: StepEvent) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                self._send(code, event)
            except ServerError as error:
                if not error.retryable:
                    log.info("step report %s refused (%s %s)", event.step, error.status, error.error)
                    if self._on_refused is not None and error.error:
                        self._on_refused(code, error.error)
                    return
                if attempt == self._attempts:
                    log.info("step report %s dropped after %d tries", event.step, attempt)
                    return
                time.sleep(self._pause * attempt)
            except Exception:
                log.exception("step report %s failed", event.step)
                return
            else:
                self.sent.append(event)
                return
