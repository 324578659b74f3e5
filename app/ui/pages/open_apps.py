"""Open apps page: what is running that the technician could see, with a way to refresh."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from app.core.consent_record import AppSummary, OpenAppsSummary
from app.core.open_apps import AppGroup, scan_open_apps
from app.ui.pages.base import JourneyPage, message_label, set_error, set_info
from app.ui.workers import BackgroundRunner


class OpenAppsPage(JourneyPage):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Close personal and confidential programs"))
        self.setSubTitle(
            self.tr(
                "The technician will see your screen. Close email, banking, password managers and "
                "private documents now. You can go on with programs still open: it is your choice."
            )
        )
        self._runner = BackgroundRunner(ctx.pool, self)
        self.app_list = QListWidget()
        self.app_list.setAccessibleName(self.tr("Programs running on this computer"))
        self.refresh_button = QPushButton(self.tr("&Refresh list"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list of programs"))
        self.status_label = message_label(self.tr("Program list status"))
        self.refresh_button.clicked.connect(self.refresh)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Programs running now:")))
        layout.addWidget(self.app_list, 1)
        layout.addLayout(buttons)

    def initializePage(self) -> None:  # noqa: N802
        self.refresh()

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        set_info(self.status_label, self.tr("Looking at what is running…"))
        self._runner.start(scan_open_apps, self._show, self._failed)

    def _show(self, groups: list[AppGroup]) -> None:
        self.refresh_button.setEnabled(True)
        self.app_list.clear()
        for group in groups:
            text = group.name if group.process_count == 1 else self.tr("{name} ({count} processes)").format(
                name=group.name, count=group.process_count
            )
            item = QListWidgetItem(text)
            item.setData(0x0100, group.name)  # Qt.UserRole
            self.app_list.addItem(item)
        set_info(self.status_label, self.tr("{count} programs running.").format(count=len(groups)))
        # Only catalogued (flagged) applications may be named in the consent record.
        flagged = tuple(AppSummary(g.name, g.category) for g in groups if g.category != "other")
        self.journey.open_apps = OpenAppsSummary(left_open=flagged)

    def _failed(self, _error: Exception) -> None:
        self.refresh_button.setEnabled(True)
        set_error(self.status_label, self.tr("The list of programs could not be read. Press Refresh list to try again."))
