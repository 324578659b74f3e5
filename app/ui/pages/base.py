"""Shared look for the wizard's pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWizardPage

from app.ui.context import LauncherContext


class JourneyPage(QWizardPage):
    def __init__(self, ctx: LauncherContext) -> None:
        super().__init__()
        self.ctx = ctx

    @property
    def journey(self):
        return self.ctx.journey


def message_label(accessible_name: str) -> QLabel:
    """A wrapped label for results and errors that screen readers announce by name."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleName(accessible_name)
    return label


def set_error(label: QLabel, text: str) -> None:
    label.setProperty("role", "error")
    label.setStyleSheet("color: #b00020;")
    label.setText(text)
    label.setVisible(bool(text))


def set_info(label: QLabel, text: str) -> None:
    label.setProperty("role", "info")
    label.setStyleSheet("")
    label.setText(text)
    label.setVisible(bool(text))


def data_label() -> QLabel:
    """A label for what the server says: shown as plain text (a name must never become markup)
    and marked as data, not interface text, for the translation checks."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setProperty("data", True)
    return label
