"""Open apps page: the customer's open applications, confidential ones first, each with Close.

Thin by design: scanning, grouping, the close policy and the consent summary live in
``app.core.open_apps``; this page runs them in workers and shows the answers. Rows are updated
in place on every refresh so the list never flickers and keyboard focus stays where it was.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core.open_apps import (
    PROTECTED_OTHER_USER,
    PROTECTED_REMOTE_SUPPORT,
    PROTECTED_SHELL,
    CloseOutcome,
    CloseTracker,
    Icon,
    OpenApp,
    OpenAppsScanner,
    RowState,
    Snapshot,
    consent_summary,
)
from app.core.journey import Step
from app.ui.pages.base import JourneyPage, message_label, set_error, set_info
from app.ui.workers import BackgroundRunner

REFRESH_MS = 3000
# While an application is being closed the list is checked more often, so the row changes soon
# after the application has gone.
CLOSING_REFRESH_MS = 500
ICON_PX = 32


def ask_before_forcing(parent: QWidget, name: str) -> bool:
    """The second confirmation before Force close: unsaved work will be lost."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("OpenAppsPage", "Force {name} to close?").format(name=name))
    box.setText(QCoreApplication.translate("OpenAppsPage", "Force {name} to close?").format(name=name))
    box.setInformativeText(
        QCoreApplication.translate(
            "OpenAppsPage",
            "Any work you have not saved in {name} will be lost. Only do this if you have saved your "
            "work or {name} does not respond."
        ).format(name=name)
    )
    force = box.addButton(QCoreApplication.translate("OpenAppsPage", "&Force close"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(QCoreApplication.translate("OpenAppsPage", "&Keep it open"), QMessageBox.ButtonRole.RejectRole)
    force.setAccessibleName(QCoreApplication.translate("OpenAppsPage", "Force close and lose unsaved work"))
    keep.setAccessibleName(QCoreApplication.translate("OpenAppsPage", "Keep it open"))
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is force


def icon_pixmap(icon: Icon | None) -> QPixmap | None:
    if icon is None:
        return None
    if icon.format == "png":
        image = QImage.fromData(icon.data, "PNG")
    else:
        image = QImage(icon.data, icon.width, icon.height, icon.width * 4, QImage.Format.Format_ARGB32).copy()
    if image.isNull():
        return None
    return QPixmap.fromImage(image).scaled(
        ICON_PX, ICON_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class AppRow(QFrame):
    """One application: icon, name, why it matters, what is happening, Close and Force close."""

    def __init__(self, page: OpenAppsPage, key: str) -> None:
        super().__init__()
        self.key = key
        self.app: OpenApp | None = None
        self._icon_source: Icon | bool | None = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon_label = QLabel()
        self.icon_label.setFixedSize(ICON_PX, ICON_PX)
        self.name_label = QLabel()
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.name_label.setProperty("data", True)  # the application's own name: data, never translated
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.why_label = QLabel()
        self.why_label.setWordWrap(True)
        self.why_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        # Always one line tall, empty or not: "Asking it to close…" appearing must not push the
        # rows below (and their Close buttons) down under the pointer.
        self.status_label.setMinimumHeight(self.status_label.fontMetrics().lineSpacing())
        self.close_button = QPushButton(self.tr("Close"))
        self.force_button = QPushButton(self.tr("Force close…"))
        self.force_button.setVisible(False)
        self.close_button.clicked.connect(lambda: page.close_app(self.key))
        self.force_button.clicked.connect(lambda: page.force_app(self.key))

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name_label)
        text.addWidget(self.why_label)
        text.addWidget(self.status_label)
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.force_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_app(self, app: OpenApp, why: str, status: str, status_is_warning: bool, may_force: bool, fallback_icon) -> None:
        """Change only what differs, so an unchanged row is not repainted."""
        self.app = app
        _set_text(self.name_label, app.name)
        _set_text(self.why_label, why)
        _set_text(self.status_label, status)
        style = "color: #8a4b00;" if status_is_warning else ""
        if self.status_label.styleSheet() != style:
            self.status_label.setStyleSheet(style)
        self.close_button.setVisible(app.closable)
        self.force_button.setVisible(app.closable and may_force)
        _set_accessible(self, self.tr("{name}. {why} {status}").format(name=app.name, why=why, status=status).strip())
        _set_accessible(self.close_button, self.tr("Close {name}").format(name=app.name))
        _set_accessible(self.force_button, self.tr("Force {name} to close").format(name=app.name))
        self.close_button.setEnabled(True)
        self.force_button.setEnabled(True)
        if self._icon_source is False or self._icon_source != app.icon:
            self._icon_source = app.icon
            self.icon_label.setPixmap(icon_pixmap(app.icon) or fallback_icon)


    def show_gone(self, text: str) -> None:
        """The application has closed, but the row stays put while the pointer is over the list."""
        _set_text(self.status_label, text)
        self.close_button.setEnabled(False)
        self.force_button.setEnabled(False)


def _say(label: QLabel, text: str) -> None:
    """Show an information line, touching the label only when it changes (no repaint per refresh)."""
    if label.text() != text or label.property("role") != "info" or label.isVisibleTo(label.parentWidget()) != bool(text):
        set_info(label, text)


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _set_accessible(widget: QWidget, name: str) -> None:
    if widget.accessibleName() != name:
        widget.setAccessibleName(name)


class OpenAppsPage(JourneyPage):
    step = Step.OPEN_APPS

    def __init__(
        self,
        ctx,
        scanner_factory: Callable[[], OpenAppsScanner] | None = None,
        confirm_force: Callable[[QWidget, str], bool] = ask_before_forcing,
        patience: float = 5.0,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Close personal and confidential programs"))
        self.setSubTitle(
            self.tr(
                "The technician will see your screen. Close email, banking, password managers and "
                "private documents now. You can go on with programs still open: it is your choice."
            )
        )
        # Made on the first worker run: building it reads the catalogue and the process tree.
        self._scanner_factory = scanner_factory or ctx.open_apps_scanner
        self._scanner: OpenAppsScanner | None = None
        self._confirm_force = confirm_force
        self.tracker = CloseTracker(patience=patience, clock=ctx.clock)
        self.snapshot: Snapshot | None = None
        self._answered = False
        self._notes: dict[str, str] = {}
        self._rows: dict[str, AppRow] = {}
        self._scan_runner = BackgroundRunner(ctx.pool, self)
        self._action_runners: dict[str, BackgroundRunner] = {}
        self._fallback_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DesktopIcon).pixmap(ICON_PX, ICON_PX)

        self.why_label = QLabel(
            self.tr(
                "Applications marked below can show your email, passwords, bank details, messages, "
                "documents or photos to the technician. Closing them keeps that private: each one is "
                "asked politely, so it can offer to save your work first."
            )
        )
        self.why_label.setWordWrap(True)
        self.why_label.setAccessibleName(self.tr("Why closing applications matters"))
        self.fallback_label = message_label(self.tr("How the list was made"))
        self.fallback_label.setVisible(False)

        self.flagged_header = QLabel(self.tr("May show personal or confidential information"))
        self.other_header = QLabel(self.tr("Other open applications"))
        for header in (self.flagged_header, self.other_header):
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            header.setVisible(False)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(False)
        self._list_body = QWidget()
        self._list_layout = QVBoxLayout(self._list_body)
        self._list_layout.setContentsMargins(6, 6, 6, 6)
        # Everything in the list is a child of the list from the start, so moving rows around
        # never reparents (and so never hides and re-shows) a widget.
        for widget in (self.empty_label, self.flagged_header, self.other_header):
            self._list_layout.addWidget(widget)
        self._list_layout.addStretch(1)
        self.app_list = QScrollArea()
        self.app_list.setWidgetResizable(True)
        self.app_list.setWidget(self._list_body)
        self.app_list.setAccessibleName(self.tr("Open applications on this computer"))
        # While the pointer is over the list its rows hold still (a second click must land on the
        # row it was aimed at); what changed meanwhile is laid out when the pointer leaves.
        self._pointer_over_list = False
        self._layout_pending = False
        self.app_list.installEventFilter(self)

        self.refresh_button = QPushButton(self.tr("&Refresh now"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list of open applications"))
        self.status_label = message_label(self.tr("Application list status"))
        self.refresh_button.clicked.connect(self.refresh)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.refresh_button)
        layout = self.body_layout()
        layout.addWidget(self.why_label)
        layout.addWidget(self.fallback_label)
        layout.addWidget(self.app_list, 1)
        layout.addLayout(buttons)

        self._refresh_ms = refresh_ms
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self._auto_refresh)

    # --- life cycle -------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._timer.start()

    def hideEvent(self, event) -> None:  # noqa: N802
        # No scanning behind other pages: the list matters only while the customer sees it.
        self._timer.stop()
        super().hideEvent(event)

    # --- scanning ---------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._scan_runner.busy:
            return
        if not self._answered:
            # Only the first read disables it: later refreshes run in the background and must
            # not take the keyboard focus away from the button.
            self.refresh_button.setEnabled(False)
            set_info(self.status_label, self.tr("Looking at what is open…"))
        existing, factory = self._scanner, self._scanner_factory

        def job(_task):
            scanner = existing or factory()
            return scanner, scanner.scan()

        self._scan_runner.start(job, self._scanned, self._scan_failed)

    def _auto_refresh(self) -> None:
        self.refresh()
        self._pace()

    def _pace(self) -> None:
        """Check often while an application is closing, calmly otherwise."""
        waiting = self.tracker.waiting
        self._timer.setInterval(min(CLOSING_REFRESH_MS, self._refresh_ms) if waiting else self._refresh_ms)

    def _scanned(self, result) -> None:
        self._scanner, self.snapshot = result
        self.journey.open_apps_listed = True
        self.tracker.observe(self.snapshot)
        self._show_snapshot()
        flagged = sum(1 for app in self.snapshot.apps if app.flagged)
        if flagged:
            _say(
                self.status_label,
                self.tr("{flagged} of {total} open applications may show personal or confidential information.").format(
                    flagged=flagged, total=len(self.snapshot.apps)
                ),
            )
        else:
            _say(self.status_label, self.tr("No application that usually holds personal information is open."))
        self._record()
        self._first_answer()
        self._pace()

    def _scan_failed(self, _error: Exception) -> None:
        set_error(self.status_label, self.tr("The list of applications could not be read. Press Refresh now to try again."))
        self._first_answer()

    def _first_answer(self) -> None:
        if not self._answered:
            self._answered = True
            self.refresh_button.setEnabled(True)
            self.completeChanged.emit()

    def _record(self) -> None:
        if self.snapshot is not None:
            self.journey.open_apps = consent_summary(self.snapshot, self.tracker)

    # --- showing ----------------------------------------------------------------------------

    def _why(self, app: OpenApp) -> str:
        if app.protected == PROTECTED_SHELL:
            return self.tr("Part of your computer's desktop: it stays open.")
        if app.protected == PROTECTED_REMOTE_SUPPORT:
            return self.tr("Needed for the remote support session: it stays open.")
        if app.protected == PROTECTED_OTHER_USER:
            return self.tr("Runs for another user or as administrator, so it cannot be closed from here.")
        reasons = {
            "email": self.tr("Email: the technician could read your messages."),
            "browser": self.tr("Web browser: open tabs can show your accounts, banking and private pages."),
            "password-manager": self.tr("Password manager: it can show your passwords."),
            "finance": self.tr("Banking and finance: it can show your accounts and payments."),
            "messaging": self.tr("Messaging: the technician could read your conversations."),
            "documents": self.tr("Documents: open files may be private or confidential."),
            "photos": self.tr("Photos: your pictures could be seen."),
        }
        if app.flagged and app.category in reasons:
            return reasons[app.category]
        if not app.windows and self.snapshot is not None and self.snapshot.windows_listed:
            return self.tr("Running with no window open.")
        return self.tr("Other application.")

    def _status(self, app: OpenApp) -> tuple[str, bool]:
        state = self.tracker.state(app.key)
        if state == RowState.CLOSING:
            # A note here says how it was asked (told to quit, with no window to ask).
            return self._notes.get(app.key) or self.tr("Asking it to close…"), False
        if state == RowState.FORCING:
            return self.tr("Ending it…"), False
        if state == RowState.STILL_OPEN:
            return (
                self.tr(
                    "Still open. It may be asking whether to save your work: look for its window. "
                    "If it does not respond, you can force it to close."
                ),
                True,
            )
        note = self._notes.get(app.key, "")
        return note, bool(note)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.app_list:
            if event.type() == QEvent.Type.Enter:
                self._pointer_over_list = True
            elif event.type() == QEvent.Type.Leave:
                self._pointer_over_list = False
                if self._layout_pending and self.snapshot is not None:
                    self._show_snapshot()
        return super().eventFilter(watched, event)

    def _hold_rows(self, snapshot: Snapshot) -> None:
        """Update the rows in place, moving none: gone ones say so, new ones wait."""
        present = {app.key: app for app in snapshot.apps}
        for key, row in self._rows.items():
            app = present.get(key)
            if app is None:
                row.show_gone(self.tr("Closed."))
            else:
                status, warning = self._status(app)
                row.show_app(app, self._why(app), status, warning, self.tracker.may_force(app.key), self._fallback_icon)
        self._layout_pending = True

    def _show_snapshot(self) -> None:
        snapshot = self.snapshot
        if self._pointer_over_list and self._rows:
            self._hold_rows(snapshot)
            return
        self._layout_pending = False
        _say(
            self.fallback_label,
            ""
            if snapshot.windows_listed
            else self.tr(
                "This computer does not let the launcher tell its windows apart, so the list shows "
                "running programs instead. Known personal or confidential programs are still marked."
            ),
        )
        focus = self.focusWidget() if self.isVisible() else None
        focused_row = next((r for r in self._rows.values() if focus is not None and r.isAncestorOf(focus)), None)
        shown_before = self.row_keys()
        order = [app.key for app in snapshot.apps]
        gone = [key for key in self._rows if key not in set(order)]
        self._list_body.setUpdatesEnabled(False)
        try:
            for app in snapshot.apps:
                row = self._rows.get(app.key)
                if row is None:
                    row = self._rows[app.key] = AppRow(self, app.key)
                    row.setParent(self._list_body)
                status, warning = self._status(app)
                row.show_app(app, self._why(app), status, warning, self.tracker.may_force(app.key), self._fallback_icon)
            self._place_rows(snapshot)
            for key in gone:
                row = self._rows.pop(key)
                self._notes.pop(key, None)
                self._list_layout.removeWidget(row)
                row.hide()
                row.deleteLater()
        finally:
            self._list_body.setUpdatesEnabled(True)
        self._fix_tab_order()
        if focused_row is not None and focused_row.key in gone:
            self._focus_near(shown_before, focused_row.key)

    def _place_rows(self, snapshot: Snapshot) -> None:
        flagged = [self._rows[a.key] for a in snapshot.apps if a.flagged]
        others = [self._rows[a.key] for a in snapshot.apps if not a.flagged]
        if not snapshot.apps:
            self.empty_label.setText(self.tr("No open applications were found."))
        wanted: list[QWidget] = [self.empty_label, self.flagged_header, *flagged, self.other_header, *others]
        current = [self._list_layout.itemAt(i).widget() for i in range(self._list_layout.count() - 1)]
        if current != wanted:
            # Re-insert the same widgets in the new order: nothing is destroyed, so focus and
            # keyboard state survive and nothing flashes.
            for widget in current:
                self._list_layout.removeWidget(widget)
            for index, widget in enumerate(wanted):
                self._list_layout.insertWidget(index, widget)
        for widget, visible in (
            (self.empty_label, not snapshot.apps),
            (self.flagged_header, bool(flagged)),
            (self.other_header, bool(others)),
            *((row, True) for row in flagged + others),
        ):
            if widget.isVisibleTo(self._list_body) != visible:
                widget.setVisible(visible)

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = []
        for index in range(self._list_layout.count()):
            widget = self._list_layout.itemAt(index).widget()
            if isinstance(widget, AppRow):
                chain += [widget.close_button, widget.force_button]
        for first, second in zip([self.app_list, *chain], [*chain, self.refresh_button], strict=True):
            QWidget.setTabOrder(first, second)

    def _focus_near(self, shown_before: list[str], removed: str) -> None:
        """Give the focus to the row that took the closed one's place (else the one above it),
        so a keyboard user goes on from where they were."""
        at = shown_before.index(removed)
        for key in shown_before[at + 1 :] + shown_before[:at][::-1]:
            row = self._rows.get(key)
            if row is not None and row.close_button.isVisibleTo(self):
                row.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.refresh_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def row(self, key: str) -> AppRow | None:
        return self._rows.get(key)

    def row_keys(self) -> list[str]:
        """The rows' keys as the customer sees them, top to bottom."""
        widgets = (self._list_layout.itemAt(i).widget() for i in range(self._list_layout.count()))
        return [w.key for w in widgets if isinstance(w, AppRow)]

    # --- closing ----------------------------------------------------------------------------

    def _runner_for(self, key: str) -> BackgroundRunner:
        runner = self._action_runners.get(key)
        if runner is None:
            runner = self._action_runners[key] = BackgroundRunner(self.ctx.pool, self)
        return runner

    def _app(self, key: str) -> OpenApp | None:
        row = self._rows.get(key)
        return row.app if row is not None else None

    def close_app(self, key: str) -> None:
        app, scanner = self._app(key), self._scanner
        if app is None or scanner is None or not app.closable:
            return
        self._notes.pop(key, None)
        self.tracker.asked(app)
        self._show_snapshot()
        self._runner_for(key).start(
            lambda _task: scanner.close(app),
            lambda outcome: self._acted(key, outcome),
            lambda _error: self._action_failed(key),
        )
        self._pace()

    def force_app(self, key: str) -> None:
        app, scanner = self._app(key), self._scanner
        if app is None or scanner is None or not self.tracker.may_force(key):
            return
        if not self._confirm_force(self, app.name):
            return
        self.tracker.forcing(app)
        self._show_snapshot()
        self._runner_for(key).start(
            lambda _task: scanner.force_close(app, confirmed=True),
            lambda outcome: self._acted(key, outcome),
            lambda _error: self._action_failed(key),
        )
        self._pace()

    def _acted(self, key: str, outcome: CloseOutcome) -> None:
        if outcome == CloseOutcome.FAILED:
            self._action_failed(key)
            return
        if outcome == CloseOutcome.REFUSED:
            self.tracker.abandon(key)
            self._notes[key] = self.tr("This application cannot be closed from here.")
        if outcome == CloseOutcome.SIGNALLED:
            self._notes[key] = self.tr(
                "Told to quit. It has no window the launcher can ask, so it may close without offering to save."
            )
        self.refresh()

    def _action_failed(self, key: str) -> None:
        self.tracker.abandon(key)
        self._notes[key] = self.tr("It could not be asked to close. Close it from its own window.")
        if self.snapshot is not None:
            self._show_snapshot()
