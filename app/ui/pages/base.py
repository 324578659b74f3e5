"""Shared look for the wizard's pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWizardPage

from app.core import journey as flow
from app.core.messages import Message
from app.ui.context import LauncherContext


class JourneyPage(QWizardPage):
    """A page of one journey step. Whether the customer may go on is the journey's rule
    (:data:`app.core.journey.NAVMAP`): a page stores what it learnt in the journey, emits
    ``completeChanged``, and the wizard asks the journey."""

    step: flow.Step

    def __init__(self, ctx: LauncherContext) -> None:
        super().__init__()
        self.ctx = ctx
        rules = flow.NAVMAP[self.step]
        # Give permission instead of Next (and no Back after it), Finish on the last step.
        self.setCommitPage(rules.committed is not None)
        self.setFinalPage(rules.last)

    @property
    def journey(self) -> flow.Journey:
        return self.ctx.journey

    def missing(self) -> Message | None:
        """What the customer still has to do on this page, or None."""
        return flow.missing(self.step, self.journey)

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.missing() is None


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
