"""``--exit-when-shown``: quit with 0 as soon as the first wizard page has painted.

Lets anyone time "double-click to first painted page" from outside (``benchmarks/bench_launcher.py``
does, for the launcher and for a bare QWizard with the same probe), and see from outside what that
page showed: before quitting it prints the page's title and each named text field with its text
(``Session code: 482 913 557``), which is how ``make launcher-check`` sees that a downloaded
launcher took the code from its own file name.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QWidget, QWizardPage


def shown_text(widget: QWidget) -> list[str]:
    """What the page shows in words a test can compare: its title, then ``name: text`` per field."""
    lines = [widget.title()] if isinstance(widget, QWizardPage) and widget.title() else []
    for field in widget.findChildren(QLineEdit):
        if field.accessibleName() and field.isVisibleTo(widget):
            lines.append(f"{field.accessibleName()}: {field.text()}")
    return lines


def _print_shown(widget: QWidget) -> None:
    # A windowed Windows build has no stdout at all.
    if sys.stdout is not None:
        print("\n".join(shown_text(widget)), flush=True)


class QuitOnFirstPaint(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted = False
        self._widget = widget
        # A journey page paints its content in its scroll area's body, not on the page itself.
        self._target = getattr(widget, "body", None) or widget
        self._target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            watched.removeEventFilter(self)
            _print_shown(self._widget)
            # Quit after this paint has been flushed to the screen, not in the middle of it.
            QTimer.singleShot(0, lambda: QCoreApplication.exit(0))
        return False
