"""Every visible string goes through Qt's translation functions.

With a pseudo-translator installed, every piece of interface text must come out wrapped in ⟦…⟧,
and nothing but punctuation and numbers may stand outside the brackets: a translated label with
untranslated words glued on ("⟦Close⟧ Firefox", "• " + an English sentence) fails too. Text that is
data, not interface (the server's names, app names, the verbatim legal terms), is marked on its
widget with the ``data`` property and left alone; data filled into a translated template sits
inside its brackets.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QWidget

from app.ui.pseudo_locale import CLOSE, OPEN, PseudoTranslator
from app.ui.wizard import PageId
from tests.wizard_driver import Customer, make_wizard


@pytest.fixture
def pseudo_locale(qapp):
    translator = PseudoTranslator()
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def outside_translations(text: str) -> str:
    """What of ``text`` stands outside every ⟦…⟧ (translations nest when a message fills another)."""
    depth, outside = 0, []
    for char in text:
        if char == OPEN:
            depth += 1
        elif char == CLOSE and depth:
            depth -= 1
        elif depth == 0:
            outside.append(char)
    return "".join(outside)


def untranslated(text: str) -> bool:
    """Words (any letter, in any script) that no translation function returned."""
    return bool(re.search(r"[^\W\d_]", outside_translations(text)))


def test_the_check_catches_untranslated_words_glued_to_a_translation():
    assert not untranslated("⟦Close Firefox···⟧")
    assert not untranslated("• ⟦Read this: ⟦nested⟧···⟧\n2. ⟦More⟧ (3/4)")
    assert untranslated("⟦Close···⟧ Firefox")
    assert untranslated("Firefox. ⟦Email: the technician could read your messages.⟧")
    assert untranslated("plain English")


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
            if untranslated(text):
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
