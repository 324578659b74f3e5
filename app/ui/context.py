"""What every page needs, handed in once by the wizard so tests can swap the outside world."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QThreadPool, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.backup.system import BackupSystem
from app.core.brand import Brand
from app.core.consent_client import ConsentClient
from app.core.consent_journal import ConsentJournal
from app.core.journey import Journey
from app.core.messages import UserFacingError
from app.core.open_apps import OpenAppsScanner
from app.core.step_event import StepEvent
from app.core.step_reporter import StepReporter
from app.core.open_apps.scanner import default_backend
from app.core.support_session import SupportWatch
from app.core.terms import Terms


def default_support_watch(provider: str) -> SupportWatch:
    return SupportWatch(provider, default_backend())


def choose_folder_with_dialog(parent: QWidget, title: str) -> str | None:
    # Opens at the home folder, from where the drives are one click away (not the launcher's
    # own, unpacked folder, which means nothing to the customer).
    folder = QFileDialog.getExistingDirectory(parent, title, str(Path.home()))
    return folder or None


def confirm_end_with_message_box(parent: QWidget) -> bool:
    """The one question before support ends, in the launcher's words and buttons."""
    box = QMessageBox(parent)
    box.setWindowTitle(QCoreApplication.translate("SupportBar", "End support"))
    box.setText(
        QCoreApplication.translate("SupportBar", "End the support session now? Your technician will be disconnected.")
    )
    end = box.addButton(QCoreApplication.translate("SupportBar", "End support"), QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(QCoreApplication.translate("SupportBar", "Keep going"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is end


def leave_box(parent: QWidget, title: str, question: str) -> QMessageBox:
    """The question whether to leave: in the body too (macOS shows no title), answered with
    Leave or Stay; Return (and Escape) mean Stay."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(title)
    box.setInformativeText(question)
    leave = box.addButton(QCoreApplication.translate("LeaveQuestion", "&Leave"), QMessageBox.ButtonRole.DestructiveRole)
    stay = box.addButton(QCoreApplication.translate("LeaveQuestion", "&Stay"), QMessageBox.ButtonRole.RejectRole)
    leave.setAccessibleName(QCoreApplication.translate("LeaveQuestion", "Leave"))
    stay.setAccessibleName(QCoreApplication.translate("LeaveQuestion", "Stay"))
    box.setDefaultButton(stay)
    box.setEscapeButton(stay)
    box.setProperty("leave_button", leave)
    return box


def ask_with_message_box(parent: QWidget, title: str, question: str) -> bool:
    box = leave_box(parent, title, question)
    box.exec()
    return box.clickedButton() is box.property("leave_button")


@dataclass
class LauncherContext:
    brand: Brand
    terms: Terms
    client: ConsentClient
    journey: Journey = field(default_factory=Journey)
    initial_code: str | None = None
    # Why the code given on the command line could not be used; shown on the Session page.
    intake_error: UserFacingError | None = None
    # Set only in demo and test mode: the embedded server's origin, whose demo join page may open.
    demo_origin: str | None = None
    # Injectable so tests can capture what would be opened or picked.
    open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
    choose_folder: Callable[[QWidget, str], str | None] = choose_folder_with_dialog
    # Yes/no questions (leave the wizard? force close?): a modal box for people, an answer for tests.
    ask_yes_no: Callable[[QWidget, str, str], bool] = ask_with_message_box
    pool: QThreadPool = field(default_factory=QThreadPool.globalInstance)
    # The home folders, drives and system tools the backup check reads; called inside its worker.
    backup_system: Callable[[], BackupSystem] = BackupSystem.current
    # What is open on this computer (made and used inside the Open apps page's workers), and the
    # clock its close requests are timed by: tests give a scripted scanner and a clock they move,
    # so no test depends on what else runs on the machine or waits in real time.
    open_apps_scanner: Callable[[], OpenAppsScanner] = OpenAppsScanner
    clock: Callable[[], float] = time.monotonic
    # The provider's program once the join link opened (made inside a worker), how often the
    # support bar looks for it, how long the bar stays after it ended by itself, and the one
    # question before End support now ends the session.
    support_watch: Callable[[str], SupportWatch] = default_support_watch
    support_poll_ms: int = 2000
    support_linger_ms: int = 10_000
    confirm_end_support: Callable[[QWidget], bool] = confirm_end_with_message_box
    # Tells the technician's console which step the customer is on (best effort, its own thread);
    # None sends nothing.
    step_reporter: StepReporter | None = None

    # Where a consent waits for the server's answer (and its receipt stays) so a crash strands no
    # one (app.core.consent_journal); None keeps nothing on disk (most tests).
    journal: ConsentJournal | None = None

    def report_step(self, event: StepEvent, *, once: bool = False) -> None:
        """Queue a step report for the journey's session; never waits. ``once``: only the first
        report of this step for this session."""
        session = self.journey.session
        if self.step_reporter is not None and session is not None:
            if once:
                self.step_reporter.report_once(session.code, event)
            else:
                self.step_reporter.report(session.code, event)
