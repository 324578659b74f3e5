"""Backup page: point at a backup and see how recent it is, or accept the risk of having none."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.core.backup import DAY, FolderCheck, check_backup_folder, summarise_folder_check
from app.ui.pages.base import JourneyPage, message_label, set_error, set_info
from app.ui.workers import BackgroundRunner


class BackupPage(JourneyPage):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Back up your files"))
        self.setSubTitle(
            self.tr(
                "Remote work can, rarely, lose data. Show us where your backup is, for example a USB "
                "drive, and we will check how recent it is."
            )
        )
        self._runner = BackgroundRunner(ctx.pool, self)
        self._check: FolderCheck | None = None
        self.choose_button = QPushButton(self.tr("&Choose backup folder…"))
        self.choose_button.setAccessibleName(self.tr("Choose the folder or drive that holds your backup"))
        self.result_label = message_label(self.tr("Backup check result"))
        self.risk_box = QCheckBox(self.tr("I have &no recent backup and accept the risk of losing data"))
        self.risk_box.setAccessibleName(self.tr("I have no recent backup and accept the risk of losing data"))

        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        layout.addWidget(QLabel(self.tr("No backup? You can still go on:")))
        layout.addWidget(self.risk_box)

        self.choose_button.clicked.connect(self.choose_folder)
        self.risk_box.toggled.connect(self._update)

    def isComplete(self) -> bool:  # noqa: N802
        summary = self.journey.backup
        return summary is not None and (summary.verdict == "recent" or summary.risk_acknowledged)

    def choose_folder(self) -> None:
        folder = self.ctx.choose_folder(self, self.tr("Choose your backup folder or drive"))
        if folder:
            self.check_folder(folder)

    def check_folder(self, folder: str) -> None:
        self.choose_button.setEnabled(False)
        set_info(self.result_label, self.tr("Checking your backup…"))
        self._runner.start(lambda: check_backup_folder(folder), self._checked, self._failed)

    def _checked(self, check: FolderCheck) -> None:
        self.choose_button.setEnabled(True)
        self._check = check
        limit = self.ctx.brand.backup_max_age_days
        if not check.folder_exists:
            set_error(self.result_label, self.tr("That folder could not be opened. Choose another one."))
        elif check.newest_age_seconds is None:
            set_error(self.result_label, self.tr("That folder holds no files, so it is not a backup. Choose another one."))
        else:
            days = check.newest_age_seconds // DAY
            text = (
                self.tr("The newest file in this backup is from today.")
                if days == 0
                else self.tr("The newest file in this backup is %n day(s) old.", "", days)
            )
            if check.newest_age_seconds <= limit * DAY:
                set_info(self.result_label, text + " " + self.tr("That is recent: good."))
            else:
                set_error(
                    self.result_label,
                    text
                    + " "
                    + self.tr("That is older than %n day(s). Copy your files to it again, then check again.", "", limit),
                )
        self._update()

    def _failed(self, _error: Exception) -> None:
        self.choose_button.setEnabled(True)
        set_error(self.result_label, self.tr("The backup could not be checked. Choose the folder again."))

    def _update(self, *_args) -> None:
        self.journey.backup = summarise_folder_check(
            self._check, self.ctx.brand.backup_max_age_days, self.risk_box.isChecked()
        )
        self.completeChanged.emit()
