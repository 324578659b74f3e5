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
    runner.start(lambda: release.wait(10) and "slow", answers.append, answers.append)
    runner.start(lambda: "fast", answers.append, answers.append)
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
    runner.start(lambda: release.wait(10) and "late", answers.append, answers.append)
    page.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(runner))
    release.set()
    pool.waitForDone(5000)
    QCoreApplication.processEvents()
    assert answers == []
