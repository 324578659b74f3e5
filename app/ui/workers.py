"""Run core work off the GUI thread and report back with signals.

Modelled on NormCap's and OnionShare's workers: the job catches everything inside ``run()``
and never touches a widget; the page gets ``finished(result)`` or ``failed(exception)`` on the
GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.core.messages import UserFacingError

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class Worker(QRunnable):
    def __init__(self, job: Callable[[], Any]) -> None:
        super().__init__()
        self.job = job
        # Created on the GUI thread, so its signals are delivered there.
        self.signals = WorkerSignals()

    def run(self) -> None:
        try:
            result = self.job()
        except Exception as error:  # every failure must reach the page, not kill the thread
            if not isinstance(error, UserFacingError):
                log.exception("background job failed")
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)


class BackgroundRunner(QObject):
    """Starts jobs for one page and keeps only the latest job's answer.

    A page that starts a new look-up while an older one is still running (the customer typed
    another code) must not be overwritten by the older, slower answer. Answers that arrive after
    the page (this runner's parent) was deleted are dropped too.
    """

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._generation = 0
        self._current: Worker | None = None
        self._live: set[Worker] = set()  # keeps every started worker alive until it answers

    @property
    def busy(self) -> bool:
        """True while the latest job runs; jobs already superseded or cancelled do not count."""
        return self._current is not None

    def start(
        self,
        job: Callable[[], Any],
        on_finished: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        self._generation += 1
        generation = self._generation
        worker = Worker(job)
        worker.setAutoDelete(False)
        self._live.add(worker)
        self._current = worker

        def answer(callback: Callable[[Any], None], value: Any) -> None:
            self._live.discard(worker)
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._current = None
            callback(value)

        worker.signals.finished.connect(lambda result: answer(on_finished, result))
        worker.signals.failed.connect(lambda error: answer(on_failed, error))
        self._pool.start(worker)

    def cancel_pending(self) -> None:
        """Forget answers of jobs already started (they still run to their end)."""
        self._generation += 1
        self._current = None
