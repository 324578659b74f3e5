"""Shared look for the wizard's pages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWizardPage

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

    def journey_changed(self) -> None:
        """The wizard changed the journey under this page (a code expired): show it."""
        self.completeChanged.emit()


class ExpiredBar(QFrame):
    """Shown at the top of a page once the session's code has expired, with the one way on."""

    new_code = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("expiredBar")
        self.setStyleSheet("#expiredBar { background: #fdecea; border: 1px solid #b00020; border-radius: 4px; }")
        self.message = message_label(self.tr("Session code expired"))
        set_error(self.message, self.tr("Your session code has expired. Ask your technician for a new code and enter it on the first page."))
        self.button = QPushButton(self.tr("&Enter a new code"))
        self.button.setAccessibleName(self.tr("Enter a new session code"))
        self.button.clicked.connect(self.new_code)
        layout = QHBoxLayout(self)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.button)
        self.setVisible(False)


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
