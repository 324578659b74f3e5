"""Guards against a Qt binding that breaks the wizard in ways no page test would show at once.

PySide6 6.12.0 drops a reference to ``True`` each time Qt calls a Python override returning a
bool (``isComplete``, ``validatePage``): after a few thousand calls the interpreter aborts. The
launcher pins a version without that fault; this test fails before customers would crash.
"""

import sys

from PySide6.QtWidgets import QWizard, QWizardPage


class AlwaysComplete(QWizardPage):
    def isComplete(self) -> bool:  # noqa: N802
        return True


def test_python_overrides_returning_bool_keep_reference_counts(qtbot):
    wizard = QWizard()
    qtbot.addWidget(wizard)
    page = AlwaysComplete()
    wizard.addPage(page)
    wizard.addPage(QWizardPage())
    wizard.show()
    before = sys.getrefcount(True)
    for _ in range(200):
        page.completeChanged.emit()  # Qt asks isComplete() each time
    assert sys.getrefcount(True) >= before - 5
