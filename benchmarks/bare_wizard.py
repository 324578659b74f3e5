"""The naive baseline: a bare PySide6 QWizard, built with ``pyinstaller --onefile`` and no care.

``--exit-when-shown`` exits 0 once the first page has painted, exactly like the launcher's option,
so the benchmark times both files to the same event.
"""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWizard, QWizardPage


class _QuitOnFirstPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    wizard = QWizard()
    wizard.setWindowTitle("Bare wizard")
    page = QWizardPage()
    page.setTitle("Hello")
    QVBoxLayout(page).addWidget(QLabel("A bare QWizard page."))
    wizard.addPage(page)
    if "--exit-when-shown" in sys.argv[1:]:
        probe = _QuitOnFirstPaint(app)
        page.installEventFilter(probe)
    wizard.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
