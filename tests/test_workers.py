"""Background jobs: only the latest answer counts, and nothing reaches a page that is gone."""

import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool

from app.ui.workers import BackgroundRunner


def test_a_superseded_slow_job_neither_answers_nor_keeps_the_page_busy(qtbot):
    pool = QThreadPool()
    runner = BackgroundRunner(pool)
    release = threading.Event()
    answers = []
    runner.start(lambda _task: release.wait(10) and "slow", answers.append, answers.append)
    runner.start(lambda _task: "fast", answers.append, answers.append)
    qtbot.waitUntil(lambda: answers == ["fast"])
    assert not runner.busy  # the page's controls come back though the slow job still runs
    release.set()
    pool.waitForDone(5000)
    QCoreApplication.processEvents()  # the late answer, already posted, would arrive now
    assert answers == ["fast"]
    assert not runner.busy


def test_answers_for_a_deleted_page_are_dropped(qtbot):
    pool = QThreadPool()
    page = QObject()
    runner = BackgroundRunner(pool, page)
    release = threading.Event()
    answers = []
    runner.start(lambda _task: release.wait(10) and "late", answers.append, answers.append)
    page.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(runner))
    release.set()
    pool.waitForDone(5000)
    QCoreApplication.processEvents()
    assert answers == []


def test_progress_reaches_the_page_from_the_latest_job_only_and_cancel_stops_it_with_its_answer(qtbot):
    pool = QThreadPool()
    runner = BackgroundRunner(pool)
    old_reported, release_old = threading.Event(), threading.Event()
    progress, answers = [], []

    def old_job(task):
        task.report("old 1")
        old_reported.set()
        release_old.wait(10)
        task.report("old 2")  # after a newer job started: must not be shown
        return "old"

    def new_job(task):
        task.report("new 1")
        assert task.cancelled.wait(10), "the job was never asked to stop"
        return "cancelled"

    runner.start(old_job, answers.append, answers.append, progress.append)
    assert old_reported.wait(10)
    qtbot.waitUntil(lambda: progress == ["old 1"])
    runner.start(new_job, answers.append, answers.append, progress.append)
    release_old.set()
    qtbot.waitUntil(lambda: "new 1" in progress)
    assert not runner.cancelling
    assert runner.cancel() and runner.cancelling
    assert not runner.cancel()  # asked once; a second press changes nothing
    qtbot.waitUntil(lambda: answers == ["cancelled"])
    pool.waitForDone(5000)
    QCoreApplication.processEvents()
    assert progress == ["old 1", "new 1"] and answers == ["cancelled"]
    assert not runner.busy and not runner.cancel()
