"""Backup page: what the computer says about backups, a check of the backup the customer points
at, and the verdict in plain words; going on without a verified recent backup needs an explicit
acknowledgement. All disk work runs in workers; this page only shows results and sends intent."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
)

from app.core.backup import Drive, Progress, Throttle, Verdict, describe, find_backups, judge, list_drives
from app.core.backup import summary_from_evidence, verify_backup
from app.core.backup.progress import COMPARING, HASHING
from app.core.backup.verifier import CANCELLED, Verification
from app.core.journey import Step
from app.ui.pages.base import JourneyPage, message_label, set_info
from app.ui.text import core_text
from app.ui.workers import BackgroundRunner

DRIVE_POLL_MS = 3000
MAX_LISTED = 100  # file names shown per group; the rest are counted
_CALM_WARNING = "color: #8a4b00;"
_GOOD = "color: #1b5e20;"


class BackupPage(JourneyPage):
    step = Step.BACKUP

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Back up your files"))
        self.setSubTitle(
            self.tr(
                "Remote work can, rarely, lose data. Check that your files are in a recent backup, "
                "for example on a USB drive, before the technician starts."
            )
        )
        self._finder_runner = BackgroundRunner(ctx.pool, self)
        self._drive_runner = BackgroundRunner(ctx.pool, self)
        self._check_runner = BackgroundRunner(ctx.pool, self)
        self._evidence: tuple = ()
        self._verdict: Verdict | None = None
        self._drives: list[Drive] = []

        self.findings_label = message_label(self.tr("What this computer says about backups"))
        self.drive_combo = QComboBox()
        self.drive_combo.setAccessibleName(self.tr("Backup drive or folder to check"))
        self.drive_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # Room for a drive's name; a longer one (or the "no drive" hint) is cut short in the closed
        # box rather than making the page wider than the screen.
        self.drive_combo.setMinimumContentsLength(16)
        self.drive_combo.setMinimumWidth(self.drive_combo.minimumSizeHint().width())
        drive_label = QLabel(self.tr("Backup &drive or folder:"))
        drive_label.setBuddy(self.drive_combo)
        self.check_button = QPushButton(self.tr("&Check backup"))
        self.check_button.setAccessibleName(self.tr("Check the chosen backup"))
        self.choose_button = QPushButton(self.tr("Choose another &folder…"))
        self.choose_button.setAccessibleName(self.tr("Choose the folder or drive that holds your backup"))
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName(self.tr("Backup check progress"))
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QPushButton(self.tr("Cance&l check"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the backup check"))
        self.status_label = message_label(self.tr("Backup check status"))
        self.verdict_label = message_label(self.tr("Backup verdict"))
        font = QFont(self.verdict_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.verdict_label.setFont(font)
        self.result_label = message_label(self.tr("What to do next"))
        self.notes_label = message_label(self.tr("More about the check"))
        self.files_list = QListWidget()
        self.files_list.setAccessibleName(self.tr("Files to copy to your backup"))
        self.files_label = QLabel(self.tr("Files &to copy:"))
        self.files_label.setBuddy(self.files_list)
        self.risk_box = QCheckBox(self.tr("I &understand I may lose data and have no recent backup"))
        self.risk_box.setAccessibleName(self.tr("I understand I may lose data and have no recent backup"))

        says = QLabel(self.tr("What this computer says about backups:"))
        check = QLabel(self.tr("Check a backup:"))
        for heading in (says, check):
            bold = QFont(heading.font())
            bold.setBold(True)
            heading.setFont(bold)
        # The label, the box, then its buttons, each on a line: one row of all four was wider than
        # a 1024-pixel screen (the page scrolled sideways and hid "Choose another folder").
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.check_button)
        pick_row.addWidget(self.choose_button)
        pick_row.addStretch(1)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        layout = self.body_layout()
        layout.addWidget(says)
        layout.addWidget(self.findings_label)
        layout.addSpacing(6)
        layout.addWidget(check)
        layout.addWidget(drive_label)
        layout.addWidget(self.drive_combo)
        layout.addLayout(pick_row)
        layout.addLayout(progress_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.files_label)
        layout.addWidget(self.files_list, 1)
        layout.addStretch(0)
        # Only as wide as its words, so a click beside them does not tick it unseen.
        layout.addWidget(self.risk_box, 0, Qt.AlignmentFlag.AlignLeft)
        self.setTabOrder(self.drive_combo, self.check_button)
        self.setTabOrder(self.check_button, self.choose_button)
        self.setTabOrder(self.choose_button, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.files_list)
        self.setTabOrder(self.files_list, self.risk_box)

        self._drive_timer = QTimer(self)
        self._drive_timer.setInterval(DRIVE_POLL_MS)
        self._drive_timer.timeout.connect(self.refresh_drives)
        self.check_button.clicked.connect(self.check_selected)
        self.choose_button.clicked.connect(self.choose_folder)
        self.cancel_button.clicked.connect(self.cancel_check)
        self.drive_combo.currentIndexChanged.connect(self._enable_controls)
        self.risk_box.toggled.connect(self._update)
        for widget in (self.status_label, self.verdict_label, self.result_label, self.notes_label):
            widget.setVisible(False)
        self._set_checking(False)
        self._show_files(None)

    # --- the wizard's questions ------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802
        set_info(self.findings_label, self.tr("Looking for backups this computer knows about…"))
        factory = self.ctx.backup_system
        self._finder_runner.start(
            lambda _task: find_backups(factory()),
            self._show_evidence,
            self._finders_failed,
        )
        self._update()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        # Drives come and go: the list follows while the page is on screen.
        self.refresh_drives()
        self._drive_timer.start()

    def cleanupPage(self) -> None:  # noqa: N802
        self.cancel_check()
        self._drive_timer.stop()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        # QWizard hides and shows its current page again when it relays itself out: only a page
        # still hidden once the event loop comes round has really been left.
        QTimer.singleShot(0, self, self._stop_if_left)

    def _stop_if_left(self) -> None:
        if not self.isVisible():
            # Leaving the page (or closing the window) stops work nobody will see the end of.
            self.cancel_check()
            self._drive_timer.stop()

    # --- what the computer says ------------------------------------------------------------------

    def _show_evidence(self, evidence) -> None:
        self._evidence = tuple(evidence)
        if not self._evidence:
            set_info(self.findings_label, self.tr("This computer does not say that it makes backups."))
        else:
            now = time.time()
            set_info(self.findings_label, "\n".join("• " + core_text(describe(e, now)) for e in self._evidence))
        self._update()

    def _finders_failed(self, _error: Exception) -> None:
        set_info(self.findings_label, self.tr("What this computer says about backups could not be read."))

    # --- drives ----------------------------------------------------------------------------------

    def refresh_drives(self) -> None:
        if self._drive_runner.busy:
            return
        factory = self.ctx.backup_system

        def job(_task):
            system = factory()
            return list_drives(system.partitions, system.home)

        self._drive_runner.start(job, self._show_drives, lambda _error: None)

    def _show_drives(self, drives: list[Drive]) -> None:
        if drives == self._drives:
            return
        self._drives = drives
        chosen = self.drive_combo.currentData()
        folders = [
            (self.drive_combo.itemText(i), self.drive_combo.itemData(i))
            for i in range(self.drive_combo.count())
            if self.drive_combo.itemData(i, Qt.ItemDataRole.UserRole + 1) == "folder"
        ]
        self.drive_combo.blockSignals(True)
        self.drive_combo.clear()
        for text, path in folders:
            self._add_choice(text, path, "folder")
        for drive in drives:
            text = (
                self.tr("{label} ({path}), removable drive")
                if drive.removable
                else self.tr("{label} ({path})")
            ).format(label=drive.label, path=drive.path)
            self._add_choice(text, drive.path, "drive")
        index = self.drive_combo.findData(chosen)
        self.drive_combo.setCurrentIndex(index if index >= 0 else 0)
        self.drive_combo.blockSignals(False)
        self._enable_controls()

    def _add_choice(self, text: str, path: str, origin: str) -> None:
        self.drive_combo.addItem(text, path)
        self.drive_combo.setItemData(self.drive_combo.count() - 1, origin, Qt.ItemDataRole.UserRole + 1)

    def choose_folder(self) -> None:
        folder = self.ctx.choose_folder(self, self.tr("Choose your backup folder or drive"))
        if not folder:
            return
        index = self.drive_combo.findData(folder)
        if index < 0:
            self.drive_combo.insertItem(0, self.tr("Folder: {path}").format(path=folder), folder)
            self.drive_combo.setItemData(0, "folder", Qt.ItemDataRole.UserRole + 1)
            index = 0
        self.drive_combo.setCurrentIndex(index)
        self.check_folder(folder)

    # --- the check -------------------------------------------------------------------------------

    def check_selected(self) -> None:
        folder = self.drive_combo.currentData()
        if folder:
            self.check_folder(folder)

    def check_folder(self, folder: str) -> None:
        self.cancel_check()
        factory = self.ctx.backup_system

        def job(task):
            return verify_backup(folder, factory(), cancel=task.cancelled, progress=Throttle(task.report))

        self._verdict = None
        self._show_verdict(None)
        self._set_checking(True)
        self.progress_bar.setRange(0, 0)
        set_info(self.status_label, self.tr("Looking through your Documents, Desktop and Pictures…"))
        self._check_runner.start(job, self._checked, self._check_failed, self._show_progress)
        self._enable_controls()  # now that the check runs: Check backup waits for it
        self._update()

    def cancel_check(self) -> None:
        if self._check_runner.cancel():
            self.cancel_button.setEnabled(False)
            set_info(self.status_label, self.tr("Stopping the check…"))

    @property
    def checking(self) -> bool:
        return self._check_runner.busy

    def _show_progress(self, progress: Progress) -> None:
        if progress.total is None:
            text = self.tr("Looking through your files: {count} so far…").format(count=progress.files_seen)
        else:
            self.progress_bar.setRange(0, max(1, progress.total))
            self.progress_bar.setValue(progress.done)
            if progress.phase == COMPARING:
                text = self.tr("Looking for your files in the backup: {done} of {total}…")
            elif progress.phase == HASHING:
                text = self.tr("Comparing the content of files with their copies: {done} of {total}…")
            else:
                text = "{done}/{total}"
            text = text.format(done=progress.done, total=progress.total)
        set_info(self.status_label, text)

    def _checked(self, check: Verification) -> None:
        self._set_checking(False)
        if check.outcome == CANCELLED:
            set_info(self.status_label, self.tr("Check cancelled. Press Check backup to start again."))
            self._update()
            return
        self.status_label.setVisible(False)
        self._verdict = judge(check, time.time(), self.ctx.brand.backup_max_age_days)
        self._show_verdict(self._verdict)
        self.check_button.setText(self.tr("&Check again"))
        self._update()

    def _check_failed(self, _error: Exception) -> None:
        self._set_checking(False)
        set_info(
            self.status_label,
            self.tr("The backup could not be checked. Choose the drive or folder again, then press Check backup."),
        )
        self._update()

    def _set_checking(self, checking: bool) -> None:
        self.progress_bar.setVisible(checking)
        self.cancel_button.setVisible(checking)
        self.cancel_button.setEnabled(checking)
        self.choose_button.setEnabled(not checking)
        self._enable_controls()

    def _enable_controls(self, *_args) -> None:
        idle = not self._check_runner.busy
        self.check_button.setEnabled(idle and self.drive_combo.currentData() is not None)
        self.drive_combo.setEnabled(idle and self.drive_combo.count() > 0)
        if self.drive_combo.count() == 0:
            self.drive_combo.setPlaceholderText(self.tr("No drive found: plug in your backup drive, or choose a folder"))

    # --- the verdict -----------------------------------------------------------------------------

    def _show_verdict(self, verdict: Verdict | None) -> None:
        for label in (self.verdict_label, self.result_label, self.notes_label):
            label.setVisible(verdict is not None)
        if verdict is None:
            self._show_files(None)
            return
        self.verdict_label.setText(core_text(verdict.headline))
        self.verdict_label.setStyleSheet(_GOOD if verdict.verified_complete else _CALM_WARNING)
        self.result_label.setText(core_text(verdict.advice))
        notes = " ".join(core_text(note) for note in verdict.notes)
        self.notes_label.setText(notes)
        self.notes_label.setVisible(bool(notes))
        self._show_files(verdict)

    def _show_files(self, verdict: Verdict | None) -> None:
        self.files_list.clear()
        groups = []
        if verdict is not None:
            groups = [
                (self.tr("Not in the backup ({count}):"), verdict.missing),
                (self.tr("Older or different in the backup ({count}):"), verdict.older),
                (self.tr("Changed after your newest backup ({count}):"), verdict.changed_since),
            ]
        shown = False
        for heading, names in groups:
            if not names:
                continue
            shown = True
            header = QListWidgetItem(heading.format(count=len(names)))
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            self.files_list.addItem(header)
            for name in names[:MAX_LISTED]:
                self.files_list.addItem("    " + name)
            if len(names) > MAX_LISTED:
                self.files_list.addItem("    " + self.tr("…and {count} more").format(count=len(names) - MAX_LISTED))
        self.files_list.setVisible(shown)
        self.files_label.setVisible(shown)

    def _update(self, *_args) -> None:
        # Going on without a verified recent backup needs the acknowledgement; with one, there
        # is no risk to acknowledge, so the box is not offered.
        verified = self._verdict is not None and self._verdict.verified_complete
        self.risk_box.setVisible(not verified)
        if verified and self.risk_box.isChecked():
            self.risk_box.setChecked(False)  # calls _update again, with nothing acknowledged
            return
        acknowledged = self.risk_box.isChecked()
        if self._verdict is not None:
            self.journey.backup = self._verdict.summary(acknowledged)
        else:
            self.journey.backup = summary_from_evidence(
                self._evidence, time.time(), self.ctx.brand.backup_max_age_days, acknowledged
            )
        self.completeChanged.emit()
