"""What happens when a bug escapes: log it, tell the customer in plain words, close cleanly.

PySide hands an exception raised in a page, a slot or a worker's ``run()`` to ``sys.excepthook``
and carries on with the wizard in an unknown state. The launcher must not go on half-broken in
front of a customer, and it must end through Python's normal exit so the single file's unpack
folder is removed. So the hook logs the traceback (to the customer's log file, set up by
:mod:`app.core.user_files`), shows one readable message, and ends the event loop with
:data:`CRASH_EXIT_CODE`.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.core.brand import Brand

log = logging.getLogger(__name__)

# EX_SOFTWARE from sysexits.h: "an internal software error has been detected".
CRASH_EXIT_CODE = 70
# Ctrl+C in the terminal running the console (-debug) build: a request to stop, not a bug.
INTERRUPTED_EXIT_CODE = 130
# Platforms with no screen the customer could see a dialog on (self-test, benchmarks, CI).
_HEADLESS_PLATFORMS = ("offscreen", "minimal")

ShowMessage = Callable[[str, str], None]
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def show_message_box(title: str, text: str) -> None:
    if QGuiApplication.platformName() in _HEADLESS_PLATFORMS:
        print(f"{title}\n{text}", file=sys.stderr)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Close)
    box.setAccessibleName(title)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


class CrashHandler(QObject):
    """Installs itself as ``sys.excepthook`` and ``threading.excepthook`` until :meth:`uninstall`."""

    _report_on_gui_thread = Signal()

    def __init__(self, brand: Brand, log_path: str | None, show_message: ShowMessage = show_message_box) -> None:
        super().__init__()
        self._brand = brand
        self._log_path = log_path
        self._show_message = show_message
        self.exit_code: int | None = None
        self._previous: tuple | None = None
        # A worker thread cannot show a dialog: it asks the GUI thread, which owns this object.
        self._report_on_gui_thread.connect(self._show_and_quit, Qt.ConnectionType.QueuedConnection)

    @property
    def crashed(self) -> bool:
        return self.exit_code is not None

    def install(self) -> CrashHandler:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = lambda args: self.handle(args.exc_type, args.exc_value, args.exc_traceback)
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """The hook: called by Python or PySide with an exception nobody caught."""
        if self.crashed:
            # The first failure already closes the launcher; later ones only go to the log.
            log.error("further error while closing", exc_info=(exc_type, exc, tb))
            _flush_logs()
            return
        if issubclass(exc_type, KeyboardInterrupt):
            self.exit_code = INTERRUPTED_EXIT_CODE
            QCoreApplication.exit(self.exit_code)
            return
        log.critical("unexpected error; the launcher closes", exc_info=(exc_type, exc, tb))
        _flush_logs()
        self.exit_code = CRASH_EXIT_CODE
        # Shown from the event loop rather than inside the hook, so the dialog never runs while
        # PySide is still unwinding the failed call.
        self._report_on_gui_thread.emit()

    def report_fatal(self, exc_info: ExcInfo) -> int:
        """For an exception that reached ``main`` itself (no event loop left to come back to)."""
        if not self.crashed:
            log.critical("unexpected error; the launcher closes", exc_info=exc_info)
            _flush_logs()
            self.exit_code = CRASH_EXIT_CODE
            self._show()
        return self.exit_code

    def _show_and_quit(self) -> None:
        self._show()
        QCoreApplication.exit(self.exit_code)

    def _show(self) -> None:
        title = QCoreApplication.translate("CrashHandler", "{product} has to close").format(
            product=self._brand.product_name
        )
        text = QCoreApplication.translate(
            "CrashHandler",
            "Something went wrong inside the launcher, so it has to close. Nothing was installed or "
            "changed on your computer.\n\nPlease start the launcher again. If this happens again, call "
            "{company} on {phone}.",
        ).format(company=self._brand.company, phone=self._brand.phone)
        if self._log_path:
            text += "\n\n" + QCoreApplication.translate(
                "CrashHandler", "Details for your technician were saved in: {log}"
            ).format(log=self._log_path)
        try:
            self._show_message(title, text)
        except Exception:  # a broken dialog must not stop the launcher from closing
            log.exception("could not show the crash message")


def _flush_logs() -> None:
    """A crash is written to the log file before anything else happens: the process may not last."""
    for handler in logging.getLogger().handlers:
        handler.flush()
