"""``--exit-when-shown``: quit with 0 as soon as the first wizard page has painted.

Lets anyone time "double-click to first painted page" from outside (``benchmarks/bench_launcher.py``
does, for the launcher and for a bare QWizard with the same probe).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class QuitOnFirstPaint(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            watched.removeEventFilter(self)
            # Quit after this paint has been flushed to the screen, not in the middle of it.
            QTimer.singleShot(0, lambda: QCoreApplication.exit(0))
        return False
