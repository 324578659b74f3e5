"""Shared look for the wizard's pages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget, QWizardPage

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

    def body_layout(self) -> QVBoxLayout:
        """The layout a page puts its content in: inside a scroll area, so on a small or zoomed
        screen the content scrolls within the page while the wizard's header and its Back, Next
        and Cancel stay in view."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # A keyboard stop of its own (arrow keys scroll a page of text), so it needs a name.
        self.scroll_area.setAccessibleName(self.tr("Page content"))
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll_area.viewport().setAutoFillBackground(False)  # the page's own background shows
        self.body = QWidget()
        self.body.setAutoFillBackground(False)
        self.scroll_area.setWidget(self.body)
        outer.addWidget(self.scroll_area)
        return QVBoxLayout(self.body)

    def bring_into_view(self, widget: QWidget) -> None:
        """Scroll the page so that ``widget`` is on screen (keyboard focus does this by itself)."""
        self.scroll_area.ensureWidgetVisible(widget)

    def missing(self) -> Message | None:
        """What the customer still has to do on this page, or None."""
        return flow.missing(self.step, self.journey)

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.missing() is None

    def journey_changed(self) -> None:
        """The wizard changed the journey under this page (a code expired): show it."""
        self.completeChanged.emit()


class WrappedCheck(QWidget):
    """A check box whose words wrap (a QCheckBox's own text never does, so a long line would
    make the page wider than a small or zoomed screen). Clicking the words ticks it too."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.box = QCheckBox()
        self.box.setAccessibleName(text)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.mouseReleaseEvent = lambda _event: self.box.isEnabled() and self.box.toggle()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802 - Qt's name
        self.box.setEnabled(enabled)
        self.label.setEnabled(enabled)


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
    # Of any length (a company, a technician's name, three long verification words in a big
    # font): it wraps rather than making the page wider than a zoomed screen.
    label.setWordWrap(True)
    label.setProperty("data", True)
    return label
