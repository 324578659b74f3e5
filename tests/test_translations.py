"""Every visible string goes through Qt's translation functions.

With a pseudo-translator installed, every piece of interface text must come out wrapped in ⟦…⟧.
Text that is data, not interface (the server's names, app names, the verbatim legal terms), is
marked on its widget with the ``data`` property and left alone.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QWidget

from app.ui.pseudo_locale import OPEN, PseudoTranslator
from app.ui.wizard import PageId
from tests.wizard_driver import Customer, make_wizard


@pytest.fixture
def pseudo_locale(qapp):
    translator = PseudoTranslator()
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def untranslated_texts(root: QWidget) -> list[str]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.property("data"):
            continue
        texts = []
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText() if not widget.property("data-placeholder") else "")
        texts += [widget.accessibleName(), widget.toolTip()]
        for text in texts:
            if text.strip() and OPEN not in text:
                found.append(f"{type(widget).__name__}: {text[:60]!r}")
    return found


def test_every_visible_string_on_every_page_is_translated(qtbot, consent_server, pseudo_locale):
    session = consent_server.create_session()
    wizard, _opened = make_wizard(
        qtbot, consent_server.base_url, demo_origin=consent_server.base_url, initial_code=session["code"]
    )
    customer = Customer(qtbot, wizard)
    seen = {}
    customer.wait_for_session()
    seen[PageId.SESSION] = untranslated_texts(wizard)
    customer.press_next()
    seen[PageId.TERMS] = untranslated_texts(wizard)
    customer.read_and_accept_terms()
    customer.press_next()
    customer.pass_open_apps()
    seen[PageId.OPEN_APPS] = untranslated_texts(wizard)
    customer.press_next()
    customer.accept_no_backup()
    seen[PageId.BACKUP] = untranslated_texts(wizard)
    customer.press_next()
    customer.fill_consent()
    seen[PageId.CONSENT] = untranslated_texts(wizard)
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    seen[PageId.CONNECT] = untranslated_texts(wizard)
    problems = {page.name: texts for page, texts in seen.items() if texts}
    assert not problems, "\n".join(f"{page}: {texts}" for page, texts in problems.items())
