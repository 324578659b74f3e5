"""The "being supported" bar the wizard becomes once the support session is live.

A small window that stays on top, inside the screen's available area (never over the taskbar,
dock or panels), says who may see and control the screen and the consent's reference, and
offers *End support now*: one confirmation, then the provider's program is closed (asked, then
ended a few seconds later) and the withdrawal is recorded with the server. When the program
ends on its own, the bar says so, reports the end and closes after a short while. Closing the
bar ends the launcher, which removes its unpack folder as every exit does.

It carries the brand's name and colours and no system icon, so it cannot pass for a message of
the operating system. Keyboard: Tab reaches the text and the buttons, Ctrl+arrow keys move it;
screen readers read its name, its text and each button's name.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.consent_client import ServerError, Withdrawal
from app.core.support_programs import provider_name
from app.core.support_session import EndOutcome, SupportWatch
from app.ui.context import LauncherContext
from app.ui.workers import BackgroundRunner

log = logging.getLogger(__name__)

# How often the report of the end is tried before the bar gives the customer the phone number.
REPORT_TRIES = 3
MOVE_STEP = 24
_MARGIN = 8
_STYLE = """
QWidget#supportBar { background: #17324d; border: 2px solid #f2b632; border-radius: 6px; }
QLabel { color: #ffffff; }
QLabel#brand { color: #f2b632; font-weight: bold; }
QPushButton { background: #ffffff; color: #17324d; border: none; border-radius: 4px; padding: 6px 14px; font-weight: bold; }
QPushButton:focus { outline: 2px solid #f2b632; }
QLabel:focus { border: 1px dotted #f2b632; }
"""


def report_end(ctx: LauncherContext, reason: str, sleep=time.sleep) -> Withdrawal | ServerError:
    """Tell the server the support session ended (a worker's job): tried a few times, since the
    customer may be offline for a moment; the last refusal is the answer when none got through."""
    answer = ctx.journey.answer
    assert answer is not None and answer.receipt is not None  # the bar follows a recorded consent
    record = answer.receipt.record
    failure = ServerError("")
    for attempt in range(REPORT_TRIES):
        try:
            return ctx.client.withdraw(record.receipt_id, reason, record.session_code)
        except ServerError as error:
            failure = error
            if not error.retryable:
                break
            sleep(1.0 + attempt)
    log.warning("the end of support could not be reported: %s (status %s)", failure.error, failure.status)
    return failure


class SupportBar(QWidget):
    def __init__(self, ctx: LauncherContext, watch: SupportWatch) -> None:
        super().__init__(
            None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.ctx = ctx
        self.watch = watch
        self.state = "live"  # live, ending, ended
        self.withdrawal: Withdrawal | None = None
        self._runner = BackgroundRunner(ctx.pool, self)
        self._reporter = BackgroundRunner(ctx.pool, self)
        self._drag_from: QPoint | None = None
        self._close_when_reported = False
        journey = ctx.journey
        answer = journey.answer
        self._reference = answer.reference if answer is not None else ""
        self._technician = journey.session.technician if journey.session is not None else ""
        self._provider = provider_name(answer.provider) if answer is not None else ""

        self.setObjectName("supportBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.setWindowTitle(self.tr("{company} support: being supported").format(company=ctx.brand.company))
        self.setAccessibleName(self.tr("{company} support bar").format(company=ctx.brand.company))
        self.setAccessibleDescription(self.tr("Move it with Ctrl and the arrow keys."))

        self.brand_label = QLabel(self.tr("{company} support").format(company=ctx.brand.company))
        self.brand_label.setObjectName("brand")
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        # After the flags, which reset it: Tab reaches the text, so a screen reader reads it out.
        self.status_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.status_label.setAccessibleName(self.tr("Support status"))
        self.end_button = QPushButton(self.tr("&End support now"))
        self.end_button.setAccessibleName(self.tr("End support now"))
        self.end_button.clicked.connect(self.end_support)
        self.close_button = QPushButton(self.tr("&Close"))
        self.close_button.setAccessibleName(self.tr("Close this bar"))
        self.close_button.clicked.connect(self.close)
        self.close_button.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.setSpacing(12)
        layout.addWidget(self.brand_label)
        layout.addWidget(self.status_label, 1)
        layout.addWidget(self.end_button)
        layout.addWidget(self.close_button)
        self.status_label.setText(self._live_text())
        self.setMinimumWidth(760)
        self.setMaximumWidth(1000)

        self._poll = QTimer(self)
        self._poll.setInterval(ctx.support_poll_ms)
        self._poll.timeout.connect(self._check_program)
        self._poll.start()

    # --- what it says -----------------------------------------------------------------------

    def _live_text(self) -> str:
        return self.tr("{technician} may see and control your screen · reference {reference}").format(
            technician=self._technician, reference=self._reference
        )

    def _ended_text(self, by_itself: bool) -> str:
        if by_itself:
            return self.tr(
                "{provider} has closed, so support has ended. The technician can no longer see your "
                "screen. Nothing was installed."
            ).format(provider=self._provider)
        return self.tr("Support has ended. The technician can no longer see your screen. Nothing was installed.")

    def _not_reported_text(self) -> str:
        return self.tr(
            "{company} could not be told just now: call {phone} and give the reference {reference}."
        ).format(company=self.ctx.brand.company, phone=self.ctx.brand.phone, reference=self._reference)

    # --- placing and moving -----------------------------------------------------------------

    def place(self) -> None:
        """Top centre of the screen's available area: clear of the taskbar, dock and panels."""
        self.adjustSize()
        area = self._area()
        self.move(area.left() + (area.width() - self.width()) // 2, area.top() + _MARGIN)

    def _area(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def move_within(self, target: QPoint) -> None:
        """Move to ``target``, kept inside the available area so it never covers the taskbar."""
        area = self._area()
        x = min(max(target.x(), area.left()), area.right() - self.width() + 1)
        y = min(max(target.y(), area.top()), area.bottom() - self.height() + 1)
        self.move(x, y)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        steps = {
            Qt.Key.Key_Left: QPoint(-MOVE_STEP, 0),
            Qt.Key.Key_Right: QPoint(MOVE_STEP, 0),
            Qt.Key.Key_Up: QPoint(0, -MOVE_STEP),
            Qt.Key.Key_Down: QPoint(0, MOVE_STEP),
        }
        key = Qt.Key(event.key())
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and key in steps:
            self.move_within(self.pos() + steps[key])
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.pos()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move_within(event.globalPosition().toPoint() - self._drag_from)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._drag_from = None
        super().mouseReleaseEvent(event)

    # --- the session ------------------------------------------------------------------------

    def _check_program(self) -> None:
        if self.state != "live" or self._runner.busy:
            return
        self._runner.start(lambda _task: self.watch.running() is not None, self._program_checked, self._check_failed)

    def _check_failed(self, error: Exception) -> None:
        log.warning("could not look for the support program: %s", error)

    def _program_checked(self, running: bool) -> None:
        if self.state == "live" and not running:
            self._finish(by_itself=True)
            self._close_when_reported = True
            self._report("program_ended")

    def end_support(self) -> None:
        if self.state != "live" or not self.ctx.confirm_end_support(self):
            return
        self.state = "ending"
        self._poll.stop()
        self._runner.cancel_pending()  # a check in flight must not report "ended by itself"
        self.end_button.setEnabled(False)
        self.status_label.setText(self.tr("Ending support…"))
        self._runner.start(lambda _task: self.watch.end(), self._program_ended, self._end_failed)

    def _program_ended(self, outcome: EndOutcome) -> None:
        self._finish(by_itself=False)
        if not outcome.gone:
            self.status_label.setText(
                self.tr(
                    "{provider} could not be closed. Close its window yourself; if it stays open, restart "
                    "your computer. Your permission is withdrawn."
                ).format(provider=self._provider)
            )
        self._report("customer")

    def _end_failed(self, error: Exception) -> None:
        log.warning("could not close the support program: %s", error)
        self._program_ended(EndOutcome(gone=False, forced=False))

    def _finish(self, by_itself: bool) -> None:
        self.state = "ended"
        self._poll.stop()
        self.status_label.setText(self._ended_text(by_itself))
        self.end_button.hide()
        self.close_button.show()
        self.close_button.setFocus()

    def _report(self, reason: str) -> None:
        self._reporter.start(lambda _task: report_end(self.ctx, reason), self._reported, self._report_failed)

    def _reported(self, answer: Withdrawal | ServerError) -> None:
        if isinstance(answer, Withdrawal):
            self.withdrawal = answer
            self._linger()
            return
        self._report_failed(answer)

    def _report_failed(self, error: Exception) -> None:
        self.status_label.setText(self.status_label.text() + " " + self._not_reported_text())
        self._linger()

    def _linger(self) -> None:
        # After the program ended by itself the bar goes by itself, once the customer had a
        # moment to read that support ended (and the server has heard of it).
        if self._close_when_reported:
            QTimer.singleShot(self.ctx.support_linger_ms, self.close)
