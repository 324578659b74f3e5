"""The QApplication, set up for a customer: readable text and their language."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication


def create_application(pseudo_locale: bool = False) -> QApplication:
    """``pseudo_locale`` (development only) wraps every translated string in ⟦…⟧, to spot text
    that skipped translation and layouts that break with longer languages."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Phonetex Support")
    app.setOrganizationName("Phonetex")
    font = app.font()
    # Big clear text for a nervous customer: at least 11 pt whatever the desktop's default.
    if font.pointSizeF() < 11:
        font.setPointSizeF(11)
        app.setFont(font)
    _install_translations(app)
    if pseudo_locale:
        from app.ui.pseudo_locale import PseudoTranslator

        app.installTranslator(PseudoTranslator(app))
    return app


def _install_translations(app: QApplication) -> None:
    qt_translator = QTranslator(app)
    if qt_translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_translator)
