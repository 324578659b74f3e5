"""What a first-time customer tripped over (issue 10, "the rest"), each as the customer meets it."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWizard

from app.ui import context
from app.ui.context import leave_box
from app.ui.pages.base import message_label
from app.ui.pages.terms import terms_date
from app.ui.text import ZERO_WIDTH_SPACE, local_time, wrappable_path
from app.ui.wizard import PageId
from tests.wizard_driver import Customer, make_wizard


def test_the_leave_question_is_in_the_body_with_leave_and_stay_and_return_means_stay(qtbot):
    box = leave_box(None, "Leave without giving permission?", "No one will be able to connect to your computer.")
    qtbot.addWidget(box)
    assert box.text() == "Leave without giving permission?"  # macOS shows no title bar text
    assert "No one will be able" in box.informativeText()
    assert sorted(b.text().replace("&", "") for b in box.buttons()) == ["Leave", "Stay"]
    box.show()
    qtbot.waitExposed(box)
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert box.clickedButton() is box.defaultButton()
    assert box.clickedButton().text().replace("&", "") == "Stay"


def test_leaving_for_real_takes_the_leave_button(qtbot, monkeypatch):
    pressed = []

    def exec_pressing_leave(self):
        leave = self.property("leave_button")
        pressed.append(leave.text())
        leave.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_pressing_leave)
    assert context.ask_with_message_box(None, "Leave?", "Sure?") is True
    assert pressed == ["&Leave"]


def test_the_folder_dialog_opens_at_the_home_folder(monkeypatch):
    seen = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: seen.append(args) or "")
    assert context.choose_folder_with_dialog(None, "Choose your backup folder or drive") is None
    assert seen[0][2] == str(Path.home())


def test_times_are_local_with_their_zone_and_dates_in_words():
    shown = local_time("2026-12-01T10:26:00Z")
    assert "December 2026" in shown, shown
    assert not re.search(r"\b1 12 2026\b", shown)
    assert re.search(r"\d\d:\d\d [A-Z+\-0-9]+$", shown), shown  # the zone is named
    assert terms_date("2024-01") == "January 2024" and terms_date("v7") == "v7"


def test_every_page_says_which_step_it_is_and_shows_the_brand(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, _opened = make_wizard(qtbot, consent_server.base_url, demo_origin=consent_server.base_url,
                                  initial_code=session["code"])
    for number, page_id in enumerate(PageId, 1):
        page = wizard.page(page_id)
        assert page.title().startswith(f"Step {number} of 6: "), page.title()
        assert not page.pixmap(QWizard.WizardPixmap.LogoPixmap).isNull()


def at_the_terms(qtbot, consent_server):
    """A wizard with a fresh session, on the Terms page: (wizard, customer, the page)."""
    session = consent_server.create_session()
    wizard, _opened = make_wizard(qtbot, consent_server.base_url, demo_origin=consent_server.base_url,
                                  initial_code=session["code"])
    customer = Customer(qtbot, wizard)
    customer.wait_for_session()
    customer.press_next()
    return wizard, customer, customer.page(PageId.TERMS)


def test_the_terms_page_for_keyboard_readers_and_back_keeps_its_tick(qtbot, consent_server):
    wizard, customer, terms = at_the_terms(qtbot, consent_server)
    # The version in plain words, not the internal terms id.
    assert wizard.ctx.terms.id not in terms.subTitle() and "January 2024" in terms.subTitle()
    # The keyboard starts in the text, and End (as in a browser) reaches its end.
    qtbot.waitUntil(terms.text_view.hasFocus, timeout=5000)
    assert not terms.accept_box.isEnabled()
    QTest.keyClick(terms.text_view, Qt.Key.Key_End)
    qtbot.waitUntil(terms.accept_box.isEnabled, timeout=5000)
    # Then Tab goes on to the accept box (not to Back), Space ticks it, and Return goes on.
    QTest.keyClick(terms.text_view, Qt.Key.Key_Tab)
    assert terms.accept_box.hasFocus()
    QTest.keyClick(terms.accept_box, Qt.Key.Key_Space)
    assert terms.accept_box.isChecked()
    qtbot.waitUntil(wizard.button(QWizard.WizardButton.NextButton).isEnabled, timeout=5000)
    customer.press_next()
    customer.page(PageId.OPEN_APPS)
    back = wizard.button(QWizard.WizardButton.BackButton)
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    customer.page(PageId.SESSION)
    customer.press_next()
    terms = customer.page(PageId.TERMS)
    assert terms.accept_box.isChecked() and wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_the_caret_at_the_end_of_the_terms_unlocks_the_accept_box(qtbot, consent_server):
    """A screen reader (or caret browsing) reads by moving the caret, not the scroll bar."""
    _wizard, _customer, terms = at_the_terms(qtbot, consent_server)
    assert not terms.accept_box.isEnabled()
    caret = terms.text_view.textCursor()
    caret.movePosition(QTextCursor.MoveOperation.End)
    terms.text_view.setTextCursor(caret)
    qtbot.waitUntil(terms.accept_box.isEnabled, timeout=5000)


def test_typed_codes_are_grouped_like_filled_in_ones_and_the_hint_is_no_code(qtbot, consent_server):
    wizard, _opened = make_wizard(qtbot, consent_server.base_url, demo_origin=consent_server.base_url)
    page = wizard.page_of(PageId.SESSION)
    assert not any(ch.isdigit() for ch in page.code_edit.placeholderText().replace("9", ""))
    page.code_edit.setFocus()
    QTest.keyClicks(page.code_edit, "4829135")
    assert page.code_edit.text() == "482 913 5"
    QTest.keyClicks(page.code_edit, "57")
    assert page.code_edit.text() == "482 913 557"


def test_the_receipt_s_file_name_wraps_instead_of_widening_the_page(qtbot):
    name = "/home/ann/.local/state/Phonetex Support/receipts/consent-receipt-2026-12-01-7ae04585-5bc7-4fb6-aa35-db55e3000770.txt"
    label = message_label("Where your receipt was saved")
    qtbot.addWidget(label)
    label.setText(f"Your receipt of this permission was saved as {wrappable_path(name)}")
    whole = label.fontMetrics().horizontalAdvance("consent-receipt-2026-12-01-7ae04585-5bc7-4fb6-aa35-db55e3000770.txt")
    assert label.minimumSizeHint().width() < whole / 3
    assert label.text().replace(ZERO_WIDTH_SPACE, "").endswith(name)
