"""A bug that escapes a page or a worker is logged, explained in plain words, and closes the launcher."""

import logging
import sys
import threading

import pytest
from PySide6.QtCore import QRunnable, QThreadPool, QTimer
from PySide6.QtWidgets import QWizard, QWizardPage

from app.core.brand import load_brand
from app.core.user_files import UserFiles, attach_file_log
from app.ui.crash import CRASH_EXIT_CODE, INTERRUPTED_EXIT_CODE, CrashHandler, show_message_box


@pytest.fixture
def crash_env(tmp_path):
    """A crash handler that records the messages it would show, logging to a file in tmp_path."""
    files = UserFiles(state_dir=tmp_path, log_dir=tmp_path / "log")
    file_log = attach_file_log(files)
    shown: list[tuple[str, str]] = []
    handler = CrashHandler(load_brand(), str(files.log_path), show_message=lambda title, text: shown.append((title, text)))
    handler.install()
    yield handler, shown, files
    handler.uninstall()
    logging.getLogger().removeHandler(file_log)
    file_log.close()


def run_event_loop(qapp, start) -> int:
    """Run the application's event loop after ``start`` until something ends it (10 s at most).

    The handler ends the loop with QCoreApplication.exit(), as in the launcher. Outside a running
    loop that call would leave Qt's "quit now" flag set and make every later local event loop
    (pytest-qt's waits) return at once, so the failures are always raised inside one.
    """
    QTimer.singleShot(0, start)
    watchdog = QTimer(singleShot=True, interval=10_000)
    watchdog.timeout.connect(lambda: qapp.exit(-1))
    watchdog.start()
    try:
        return qapp.exec()
    finally:
        watchdog.stop()


class FailingPage(QWizardPage):
    def initializePage(self) -> None:  # noqa: N802
        raise RuntimeError("the page broke")


def test_a_failing_page_is_logged_explained_and_closes_the_launcher(qapp, crash_env):
    handler, shown, files = crash_env
    wizard = QWizard()
    wizard.addPage(QWizardPage())
    wizard.addPage(FailingPage())
    wizard.show()

    assert run_event_loop(qapp, wizard.next) == CRASH_EXIT_CODE

    assert handler.crashed
    [(title, text)] = shown
    assert title == "Phonetex Support has to close"
    assert "Nothing was installed or changed on your computer" in text
    assert "+44 20 7946 0000" in text and str(files.log_path) in text
    assert "Traceback" not in text and "RuntimeError" not in text
    logged = files.log_path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "initializePage" in logged and "the page broke" in logged
    wizard.close()


def test_a_failure_in_a_worker_thread_is_shown_on_the_gui_thread(qapp, crash_env):
    handler, _shown, files = crash_env
    shown_on: list[bool] = []
    handler._show_message = lambda title, text: shown_on.append(threading.current_thread() is threading.main_thread())

    class FailingJob(QRunnable):
        def run(self) -> None:
            raise ValueError("the scan broke")

    assert run_event_loop(qapp, lambda: QThreadPool.globalInstance().start(FailingJob())) == CRASH_EXIT_CODE
    assert shown_on == [True]
    assert "the scan broke" in files.log_path.read_text(encoding="utf-8")


def test_only_the_first_failure_is_shown_later_ones_are_logged(qapp, crash_env):
    handler, shown, files = crash_env

    def fail_twice() -> None:
        for message in ("first", "second"):
            try:
                raise RuntimeError(message)
            except RuntimeError:
                handler.handle(*sys.exc_info())

    assert run_event_loop(qapp, fail_twice) == CRASH_EXIT_CODE
    assert len(shown) == 1
    logged = files.log_path.read_text(encoding="utf-8")
    assert "RuntimeError: first" in logged and "RuntimeError: second" in logged


def test_a_failure_that_reaches_main_is_shown_at_once(qapp, crash_env):
    handler, shown, _files = crash_env
    try:
        raise OSError("no display")
    except OSError:
        code = handler.report_fatal(sys.exc_info())
    assert code == CRASH_EXIT_CODE
    assert len(shown) == 1


def test_ctrl_c_in_the_console_build_stops_quietly(qapp, crash_env):
    handler, shown, files = crash_env
    code = run_event_loop(qapp, lambda: handler.handle(KeyboardInterrupt, KeyboardInterrupt(), None))
    assert code == handler.exit_code == INTERRUPTED_EXIT_CODE
    assert shown == []
    assert not files.log_path.exists()


def test_uninstall_restores_the_previous_hooks(qapp):
    before = (sys.excepthook, threading.excepthook)
    handler = CrashHandler(load_brand(), None, show_message=lambda *_: None).install()
    assert sys.excepthook == handler.handle
    handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_with_no_screen_the_message_goes_to_stderr_instead_of_a_dialog_nobody_sees(qapp, capsys):
    # Tests run offscreen: a modal dialog there would wait for ever (self-test, benchmarks, CI).
    show_message_box("Phonetex Support has to close", "Please start the launcher again.")
    assert "Please start the launcher again." in capsys.readouterr().err
