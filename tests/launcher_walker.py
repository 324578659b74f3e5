"""The real launcher (``app.main.main``) in a process of its own, walked by a customer.

    python tests/launcher_walker.py --server http://127.0.0.1:PORT 482913557

Only the event loop is replaced: the customer reads the terms to the end, passes Open apps,
acknowledges having no backup, types a name, ticks every line and presses Give permission. When
the wizard reaches Connect (after giving permission, or by itself on a resumed consent) it prints
one JSON line {"reference", "link", "opened", "resumed"} and exits. A test may SIGKILL it at any
moment, as a crash or a power cut would.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard

import app.main
from app.ui.wizard import PageId

DEADLINE_S = 60


def wait_until(condition, what: str) -> None:
    end = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"walker: timed out waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.01)


def walk(qt_app, wizard) -> int:
    opened: list[str] = []
    wizard.ctx.open_url = lambda url: opened.append(url.toString()) or True
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    def at(page: PageId) -> bool:
        return wizard.currentId() == page

    def press_next() -> None:
        wait_until(next_button.isEnabled, "Next")
        QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)

    def tick(box) -> None:
        if not box.isChecked():
            box.setFocus()
            QTest.keyClick(box, Qt.Key.Key_Space)

    wait_until(lambda: at(PageId.CONNECT) or wizard.currentPage().isComplete(), "the session")
    resumed = at(PageId.CONNECT)
    if not resumed:
        press_next()
        terms = wizard.currentPage()
        terms.text_view.setFocus()
        QTest.keyClick(terms.text_view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        wait_until(terms.accept_box.isEnabled, "the accept box")
        tick(terms.accept_box)
        press_next()
        wait_until(lambda: at(PageId.OPEN_APPS) and wizard.currentPage().isComplete(), "the open applications")
        press_next()
        tick(wizard.currentPage().risk_box)
        press_next()
        consent = wizard.currentPage()
        QTest.keyClicks(consent.name_edit, "Ann Example")
        for box in consent.ack_boxes.values():
            tick(box)
        give = wizard.button(QWizard.WizardButton.CommitButton)
        wait_until(give.isEnabled, "Give permission")
        QTest.mouseClick(give, Qt.MouseButton.LeftButton)
        print("walker: permission sent", file=sys.stderr, flush=True)
    wait_until(lambda: at(PageId.CONNECT) and wizard.currentPage().link is not None, "the Connect page")
    page = wizard.currentPage()
    print(json.dumps({"reference": page.reference_label.text(), "link": page.link.url, "opened": opened, "resumed": resumed}), flush=True)
    return 0


if __name__ == "__main__":
    app.main.run_event_loop = walk
    sys.exit(app.main.main(sys.argv[1:]))
