"""Every control can be found by a screen reader, and the whole journey works by keyboard alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTextEdit,
    QWidget,
    QWizard,
)

from app.ui.wizard import PageId
from tests.wizard_driver import make_wizard

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QProgressBar)


def _inside_combo(widget) -> bool:
    """A combo box's own pop-up list is named through the combo box itself."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def test_every_control_on_every_page_has_an_accessible_name(qtbot, consent_server):
    wizard, _opened = make_wizard(qtbot, consent_server.base_url, demo_origin=consent_server.base_url)
    unnamed = []
    for page_id in PageId:
        page = wizard.page(page_id)
        for control in (w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS) and not _inside_combo(w)):
            if not control.accessibleName().strip():
                unnamed.append(f"{page_id.name}: {type(control).__name__} {control.objectName() or ''}".strip())
    for button in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton,
                   QWizard.WizardButton.CommitButton, QWizard.WizardButton.FinishButton):
        if not wizard.button(button).accessibleName().strip():
            unnamed.append(f"wizard button {button.name}")
    assert unnamed == []


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier, text_widget=None):
    target = text_widget or QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    QTest.keyClick(target, key, modifier)


def type_text(text):
    QTest.keyClicks(QApplication.focusWidget(), text)


def tab_to(qtbot, wizard, widget, limit=60):
    """Press Tab until ``widget`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if QApplication.focusWidget() is widget:
            return
        QTest.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {type(widget).__name__} {widget.accessibleName()!r}")


def test_the_whole_journey_by_keyboard_alone(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, opened = make_wizard(qtbot, consent_server.base_url, demo_origin=consent_server.base_url)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    page = wizard.currentPage()
    tab_to(qtbot, wizard, page.code_edit)
    type_text(session["code"])
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(page.isComplete, timeout=10_000)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # the &Next mnemonic
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.TERMS)

    page = wizard.currentPage()
    tab_to(qtbot, wizard, page.text_view)
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.accept_box.isEnabled)
    tab_to(qtbot, wizard, page.accept_box)
    press(qtbot, Qt.Key.Key_Space)
    assert page.accept_box.isChecked()
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.OPEN_APPS)

    qtbot.waitUntil(next_button.isEnabled, timeout=10_000)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.BACKUP)

    page = wizard.currentPage()
    tab_to(qtbot, wizard, page.risk_box)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(next_button.isEnabled, timeout=10_000)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONSENT)

    page = wizard.currentPage()
    tab_to(qtbot, wizard, page.name_edit)
    type_text("Ann Example")
    for box in page.ack_boxes.values():
        tab_to(qtbot, wizard, box)
        press(qtbot, Qt.Key.Key_Space)
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    qtbot.waitUntil(commit.isEnabled)
    tab_to(qtbot, wizard, commit)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    assert opened.urls == [session["join_url"]]
