"""Run core work off the GUI thread and report back with signals.

Modelled on NormCap's and OnionShare's workers: the job catches everything inside ``run()``
and never touches a widget; the page gets ``finished(result)`` or ``failed(exception)`` on the
GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.core.messages import UserFacingError

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progress = Signal(object)


class Task:
    """What a job sees of its run, from its own thread: whether the customer asked it to stop
    (``cancelled``, a :class:`threading.Event`) and a way to say how far it is (``report``)."""

    def __init__(self, signals: WorkerSignals) -> None:
        self.cancelled = threading.Event()
        self._signals = signals

    def report(self, progress: Any) -> None:
        # A queued signal: the page hears it on the GUI thread, or not at all if it has moved on.
        _emit(self._signals, "progress", progress)


def _emit(signals: WorkerSignals, name: str, value: Any) -> None:
    """Send ``value`` through ``signals``' signal ``name`` unless nobody can hear it any more.

    When the app quits while a job still runs (``--exit-when-shown`` quits on first paint, with
    the Session page's look-up under way), PySide deletes every Python-owned QObject, this job's
    signals among them, and Qt waits for the pool's threads only after that. The answer has no
    one left to reach: it is dropped quietly instead of printing a traceback on the way out. The
    check alone would race with that deletion, hence the ``RuntimeError`` too.
    """
    if not shiboken6.isValid(signals):
        return
    try:
        getattr(signals, name).emit(value)
    except RuntimeError:  # "Signal source has been deleted" between the check and the emit
        if shiboken6.isValid(signals):
            raise


class Worker(QRunnable):
    def __init__(self, job: Callable[[Task], Any]) -> None:
        super().__init__()
        self.job = job
        # Created on the GUI thread, so its signals are delivered there.
        self.signals = WorkerSignals()
        self.task = Task(self.signals)

    def run(self) -> None:
        try:
            result = self.job(self.task)
        except Exception as error:  # every failure must reach the page, not kill the thread
            if not isinstance(error, UserFacingError):
                log.exception("background job failed")
            _emit(self.signals, "failed", error)
        else:
            _emit(self.signals, "finished", result)


class BackgroundRunner(QObject):
    """Starts jobs for one page and keeps only the latest job's answers.

    A page that starts a new look-up while an older one is still running (the customer typed
    another code) must not be overwritten by the older, slower answer, nor by its progress.
    Answers that arrive after the page (this runner's parent) was deleted are dropped too.
    A job is called with its :class:`Task`; a long one reports progress through it and stops
    when :meth:`cancel` sets its flag (its answer, say "cancelled", still arrives).
    """

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._generation = 0
        self._current: Worker | None = None
        self._live: set[Worker] = set()  # keeps every started worker alive until it answers

    @property
    def busy(self) -> bool:
        """True while the latest job runs; jobs already superseded or forgotten do not count."""
        return self._current is not None

    @property
    def cancelling(self) -> bool:
        """True while the latest job runs and has been asked to stop."""
        return self._current is not None and self._current.task.cancelled.is_set()

    def start(
        self,
        job: Callable[[Task], Any],
        on_finished: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
        on_progress: Callable[[Any], None] | None = None,
    ) -> None:
        """Run ``job(task)`` on the pool; the latest job's answer reaches ``on_finished`` or
        ``on_failed``, and its reports ``on_progress``, all on the GUI thread."""
        self._generation += 1
        generation = self._generation
        worker = Worker(job)
        worker.setAutoDelete(False)
        self._live.add(worker)
        self._current = worker

        def current() -> bool:
            return shiboken6.isValid(self) and generation == self._generation

        def answer(callback: Callable[[Any], None], value: Any) -> None:
            self._live.discard(worker)
            if not current():
                return
            self._current = None
            callback(value)

        worker.signals.finished.connect(lambda result: answer(on_finished, result))
        worker.signals.failed.connect(lambda error: answer(on_failed, error))
        if on_progress is not None:
            worker.signals.progress.connect(lambda value: current() and self._current is worker and on_progress(value))
        self._pool.start(worker)

    def cancel(self) -> bool:
        """Ask the latest job to stop; its answer still comes. False when nothing was running."""
        if self._current is None or self._current.task.cancelled.is_set():
            return False
        self._current.task.cancelled.set()
        return True

    def cancel_pending(self) -> None:
        """Forget answers of jobs already started (they still run to their end)."""
        self._generation += 1
        self._current = None
