"""Walk the whole wizard on a real X screen and report what a customer could not reach.

    DISPLAY=:N QT_QPA_PLATFORM=xcb [QT_SCALE_FACTOR=2] [QT_FONT_DPI=144] python tests/screen_fit.py [--shots DIR --name TAG]

Run by tests/test_screen_fit.py under Xvfb with a window manager (openbox), once per screen size,
scale and font size. On every page it brings each control the customer needs into view (the page
scrolls if it must) and checks that it lies inside the screen's free area, that the window and its
frame do too, and that no wrapped text is cut. It prints one JSON object: the screen it saw and a
list of problems (empty when all is well). With ``--shots`` it saves a picture of the whole screen
on each page as DIR/TAG-<page>.png.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPoint, QRect
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QLabel, QWidget, QWizard

from app.core.verification_words import WORDS_PER_SESSION, spoken_form, word_list
from app.ui.application import create_application
from app.ui.wizard import PageId
from server.embedded import EmbeddedServer
from tests.scripted_open_apps import CALCULATOR, FIREFOX, KEEPASSXC, THUNDERBIRD, ScriptedScanner, make_app
from tests.wizard_driver import Customer, make_wizard

OPEN_APPS = [THUNDERBIRD, KEEPASSXC, FIREFOX, make_app("libreoffice", "LibreOffice", "documents", pid=15), CALCULATOR]


class Bot:
    """The few qtbot calls the wizard driver makes, for a plain process."""

    def addWidget(self, _widget) -> None:  # noqa: N802 - qtbot's name
        pass

    def waitUntil(self, condition, timeout: int = 10_000) -> None:  # noqa: N802
        end = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > end:
                raise AssertionError("condition not met in time")
            QApplication.processEvents()
            time.sleep(0.005)

    def waitExposed(self, widget, timeout: int = 10_000) -> None:  # noqa: N802
        self.waitUntil(lambda: widget.isVisible() and widget.windowHandle() is not None and widget.windowHandle().isExposed(), timeout)

    def settle(self, seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    mouseClick = staticmethod(QTest.mouseClick)  # noqa: N815
    keyClick = staticmethod(QTest.keyClick)  # noqa: N815
    keyClicks = staticmethod(QTest.keyClicks)  # noqa: N815


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def wizard_buttons(wizard) -> list[QWidget]:
    kinds = (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton,
             QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton)
    return [wizard.button(kind) for kind in kinds if wizard.button(kind).isVisible()]


def settle_in_view(page, widget: QWidget, deadline_s: float = 3.0) -> None:
    """Scroll ``widget`` into view, again while the page's layout is still settling (a label that
    wraps anew, text that arrives from a worker): stop once it is in view, or at the deadline, and
    let the check below judge where it ended up."""
    deadline = time.monotonic() + deadline_s
    while True:
        page.bring_into_view(widget)
        QApplication.processEvents()
        if global_rect(page.scroll_area.viewport()).contains(global_rect(widget)) or time.monotonic() > deadline:
            return
        QTest.qWait(20)


def check_page(wizard, name: str, needed: list[QWidget], problems: list[str]) -> None:
    page = wizard.currentPage()
    free = wizard.screen().availableGeometry()
    if not free.contains(wizard.frameGeometry()):
        problems.append(f"{name}: window {wizard.frameGeometry().getRect()} outside the screen {free.getRect()}")
    for widget in [*needed, *wizard_buttons(wizard)]:
        label = widget.text() if isinstance(widget, QAbstractButton) else widget.accessibleName()
        if not widget.isVisible():
            problems.append(f"{name}: {label!r} is not shown")
            continue
        if page.isAncestorOf(widget) and isinstance(widget, QAbstractScrollArea):
            page.bring_into_view(widget)
            QApplication.processEvents()
        elif page.isAncestorOf(widget):
            settle_in_view(page, widget)
        rect = global_rect(widget)
        if not isinstance(widget, QAbstractScrollArea) and not free.contains(rect):
            problems.append(f"{name}: {label!r} at {rect.getRect()} is off the screen {free.getRect()}")
        # Inside the page, it must also be within the part of the page the customer sees (a text
        # view that scrolls by itself needs only a good part of it in view).
        view = global_rect(page.scroll_area.viewport())
        if isinstance(widget, QAbstractScrollArea):
            seen = view.intersected(rect)
            if seen.height() < min(rect.height(), 120) or seen.width() < min(rect.width(), 200):
                problems.append(f"{name}: too little of {label!r} can be seen ({seen.getRect()})")
        elif page.isAncestorOf(widget) and not view.contains(rect):
            problems.append(f"{name}: {label!r} cannot be scrolled fully into view")
    check_text(page, name, problems)
    check_width(page, name, problems)
    check_minimum(wizard, name, problems)


def check_width(page, name: str, problems: list[str]) -> None:
    """The page's content fits its width: the customer scrolls down only, never sideways (a line
    that cannot wrap, say a long file name, would push the rest out of sight)."""
    view = page.scroll_area.viewport().width()
    needed = page.body.minimumSizeHint().width()
    if needed > view:
        layout = page.body.layout()
        items = [layout.itemAt(index) for index in range(layout.count())]
        wide = [item for item in items if not item.isEmpty() and item.minimumSize().width() > view]
        names = [describe(item.widget() or item.layout()) for item in wide]
        problems.append(f"{name}: the page needs {needed} px of width, {view} px are there (too wide: {names})")


def describe(part) -> str:
    if isinstance(part, QWidget):
        return part.accessibleName() or type(part).__name__
    return "row of " + ", ".join(describe(part.itemAt(index).widget()) for index in range(part.count()) if part.itemAt(index).widget())


def check_minimum(wizard, name: str, problems: list[str]) -> None:
    """The window may be made as small as the screen: its layout never asks for more."""
    free = wizard.screen().availableGeometry()
    frame, client = wizard.frameGeometry(), wizard.geometry()
    extra = frame.size() - client.size()
    least = wizard.minimumSize() + extra
    if least.width() > free.width() or least.height() > free.height():
        problems.append(f"{name}: the window cannot be smaller than {least.toTuple()} (frame included), the screen has {free.size().toTuple()}")


def check_text(page: QWidget, name: str, problems: list[str]) -> None:
    """Wrapped text that needs more height than its label got is cut off."""
    for label in page.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.text() and label.height() + 1 < label.heightForWidth(label.width()):
            problems.append(f"{name}: text cut ({label.height()} < {label.heightForWidth(label.width())} px): {label.text()[:40]!r}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--name", default="screen")
    args = parser.parse_args()
    qt_app = create_application()
    bot = Bot()
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as folder, EmbeddedServer(Path(folder) / "consents.sqlite3") as server:
        session = server.create_session()
        wizard, _opened = make_wizard(
            bot, server.base_url, demo_origin=server.base_url, initial_code=session["code"],
            open_apps_scanner=lambda: ScriptedScanner(OPEN_APPS),
        )
        customer = Customer(bot, wizard)

        def look(page_id: PageId, needed: list[QWidget]) -> None:
            bot.settle()
            check_page(wizard, page_id.name.lower(), needed, problems)
            if args.shots:
                page = wizard.currentPage()
                page.scroll_area.verticalScrollBar().setValue(0)
                bot.settle(0.1)
                wizard.screen().grabWindow(0).save(str(args.shots / f"{args.name}-{page_id.name.lower().replace('_', '-')}.png"))

        page = customer.wait_for_session()
        # The session's words are drawn at random: judge the page with the three widest the list
        # holds, in the page's own font, so a narrow screen cannot pass by luck.
        metrics = page.words_value.fontMetrics()
        widest = sorted(word_list(), key=metrics.horizontalAdvance)[-WORDS_PER_SESSION:]
        page.words_value.setText(spoken_form(tuple(widest)))
        look(PageId.SESSION, [page.code_edit, page.check_button, page.words_value, page.warning_label])
        customer.press_next()
        terms = wizard.currentPage()
        customer.read_and_accept_terms()
        look(PageId.TERMS, [terms.text_view, terms.accept_box])
        customer.press_next()
        customer.pass_open_apps()
        apps = wizard.currentPage()
        look(PageId.OPEN_APPS, [apps.refresh_button, apps.row("thunderbird").close_button])
        customer.press_next()
        backup = wizard.currentPage()
        customer.accept_no_backup()
        look(PageId.BACKUP, [backup.check_button, backup.choose_button, backup.risk_box])
        customer.press_next()
        consent = customer.fill_consent()
        look(PageId.CONSENT, [consent.name_edit, *consent.ack_boxes.values()])
        customer.give_permission()
        bot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT)
        connect = wizard.currentPage()
        # The receipt is written by a worker: its line and button come when it is saved.
        bot.waitUntil(connect.open_receipt_button.isVisible)
        look(PageId.CONNECT, [connect.copy_button, connect.open_again_button, connect.reference_label,
                              connect.open_receipt_button])
        screen = wizard.screen()
        report = {
            "screen": screen.geometry().getRect(),
            "free": screen.availableGeometry().getRect(),
            "window": wizard.frameGeometry().getRect(),
            "scale": screen.devicePixelRatio(),
            "font_px": wizard.fontInfo().pixelSize(),
            "problems": problems,
        }
        wizard.ctx.ask_yes_no = lambda *_: True
        wizard.close()
    print(json.dumps(report))
    qt_app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
