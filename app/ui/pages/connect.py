"""Connect page: open the join link the server gave, show the reference and the checklist, and
follow the technician's switch to TeamViewer while the page is open.

Honest hand-off: the page says the browser was asked to open the link only when the desktop
reported that it did, and even then keeps the link, Copy link and "Open … again" on the page for as
long as the session lasts (a desktop cannot tell whether a browser window really appeared, and a
tab is easily closed). When the desktop reports failure it says so, with the words to read to the
technician.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton

from app.core.verification_words import spoken_form
from app.core.consent_client import ConnectionInfo, ServerError
from app.core.join_link import JoinLink, JoinLinkRefused, check_join_link
from app.core.journey import Event, Step, read_back_checklist
from app.core.provider_follow import ProviderFollower, Switch
from app.core.step_event import StepEvent, new_step_event
from app.core.step_reports import join_link_report
from app.core.support_session import SupportWatch
from app.ui.pages.base import data_label, JourneyPage, message_label, set_error, set_info
from app.ui.receipt import save_receipt_later
from app.core.utc_time import parse_iso_utc
from app.ui.text import core_text, wrappable_path
from app.ui.workers import BackgroundRunner

log = logging.getLogger(__name__)


class ConnectPage(JourneyPage):
    step = Step.CONNECT

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Connect to your technician"))
        # A subtitle keeps the same header as the other pages (QWizard drops it for pages without one).
        self.setSubTitle(self.tr("Your permission is recorded. It is for this session only."))
        self.link: JoinLink | None = None
        # Once the link opened: is the provider's program running yet? Then the session is live
        # and the wizard becomes the support bar (the journey's SUPPORT_STARTED).
        self.watch: SupportWatch | None = None
        self._watcher = BackgroundRunner(ctx.pool, self)
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(ctx.support_poll_ms)
        self._watch_timer.timeout.connect(self._look_for_program)

        self.status_label = message_label(self.tr("Connection status"))
        self.reference_label = data_label()
        self.reference_label.setAccessibleName(self.tr("Reference code"))
        font = self.reference_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.reference_label.setFont(font)
        self.checklist = message_label(self.tr("Checklist to read to your technician"))
        self.link_edit = QLineEdit()
        self.link_edit.setReadOnly(True)
        self.link_edit.setAccessibleName(self.tr("Connection link"))
        self.copy_button = QPushButton(self.tr("C&opy link"))
        self.copy_button.setAccessibleName(self.tr("Copy the connection link"))
        self.copy_button.clicked.connect(self.copy_link)
        self.open_again_button = QPushButton(self.tr("Open the link &again"))
        self.open_again_button.setAccessibleName(self.tr("Open the connection link again"))
        self.open_again_button.clicked.connect(self.open_again)
        self.receipt_label = message_label(self.tr("Where your receipt was saved"))
        self.receipt_label.setVisible(False)
        self.open_receipt_button = QPushButton(self.tr("Open &receipt"))
        self.open_receipt_button.setAccessibleName(self.tr("Open your consent receipt"))
        self.open_receipt_button.setVisible(False)
        self.open_receipt_button.clicked.connect(self.open_receipt)
        self.receipt_path: Path | None = None
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_edit, 1)
        link_row.addWidget(self.copy_button)
        link_row.addWidget(self.open_again_button)
        receipt_row = QHBoxLayout()
        receipt_row.addWidget(self.receipt_label, 1)
        receipt_row.addWidget(self.open_receipt_button)

        layout = self.body_layout()
        layout.addWidget(self.status_label)
        layout.addLayout(link_row)
        layout.addWidget(QLabel(self.tr("Your reference code:")))
        layout.addWidget(self.reference_label)
        layout.addWidget(self.checklist)
        layout.addStretch(1)
        layout.addLayout(receipt_row)
        self._show_link_row(False)
        # The link works for as long as the session lasts: then its buttons go, and the page says so.
        self._expiry = QTimer(self, singleShot=True)
        self._expiry.timeout.connect(self._session_over)

        # Asking the server which provider the session is on: a worker per question, a timer between.
        self._follower: ProviderFollower | None = None
        self._asking = BackgroundRunner(ctx.pool, self)
        self._next_question = QTimer(self)
        self._next_question.setSingleShot(True)
        self._next_question.timeout.connect(self._ask_provider)

    def initializePage(self) -> None:  # noqa: N802
        answer = self.journey.answer
        if answer is None:  # only reachable through a programming error; say so plainly
            set_error(self.status_label, self.tr("No permission has been recorded yet."))
            return
        self.reference_label.setText(answer.reference)
        save_receipt_later(self, self.ctx, self._receipt_saved)  # the customer's own copy, written off the GUI thread
        items = read_back_checklist(self.journey)
        self.checklist.setText(
            self.tr("Read this to your technician:")
            + "\n"
            + "\n".join(f"{number}. {core_text(item)}" for number, item in enumerate(items, 1))
        )
        try:
            self.link = check_join_link(answer.join_url, self.ctx.brand, self.ctx.demo_origin)
        except JoinLinkRefused as refusal:
            self.link = None
            self._show_link_row(False)
            set_error(self.status_label, core_text(refusal))
            return
        self.link_edit.setText(self.link.url)
        self.open_again_button.setText(self._open_again_text(self.link.provider))
        self.open_again_button.setAccessibleName(self.open_again_button.text().replace("&", ""))
        self._show_link_row(True)
        self._watch_expiry()
        if self.link is not None:  # an expired session opens nothing
            self._open_link()
            self._start_following()

    def open_again(self) -> None:
        if self.link is not None:
            self._open_link()

    def _open_link(self, before: str = "", report: StepEvent | None = None) -> None:
        assert self.link is not None and self.journey.answer is not None
        lead = f"{before} " if before else ""
        opened = bool(self.ctx.open_url(QUrl(self.link.url, QUrl.ParsingMode.StrictMode)))
        self.ctx.report_step(report or join_link_report(self.link.provider, opened))
        if opened:
            set_info(self.status_label, lead + self._what_opens(self.link.provider))
            self.journey.link_opened = True
            self._watch_timer.start()  # the being-supported bar follows once the program runs
        else:
            set_error(self.status_label, lead + self._browser_did_not_open(self.journey.answer.reference))

    # --- following a switch of provider ---------------------------------------------------------

    def _start_following(self) -> None:
        answer, session = self.journey.answer, self.journey.session
        record = answer.receipt.record if answer is not None and answer.receipt is not None else None
        if record is None:
            return  # no recorded consent to ask about
        self._code, self._receipt_id = record.session_code, record.receipt_id
        self._follower = ProviderFollower(
            self.ctx.brand,
            self.link,
            expires_at=None if session is None else session.expires_at,
            demo_origin=self.ctx.demo_origin,
        )
        self._ask_later()

    def _ask_later(self) -> None:
        delay = None if self._follower is None else self._follower.next_delay()
        if delay is not None:
            self._next_question.start(int(delay * 1000))

    def _ask_provider(self) -> None:
        if not self.isVisible():
            return  # the wizard was closed (QWizard also hides a page for a moment as it shows it)
        if self._asking.busy:
            self._ask_later()
            return
        client, code, receipt_id = self.ctx.client, self._code, self._receipt_id
        self._asking.start(
            lambda _task: client.connection(code, receipt_id), self._provider_answered, self._provider_unanswered
        )

    def _provider_answered(self, info: ConnectionInfo) -> None:
        assert self._follower is not None
        switch = self._follower.consider(info)
        if switch is not None:
            self._follow(switch)
        self._ask_later()

    def _provider_unanswered(self, error: Exception) -> None:
        # Quietly: the link already opened still stands. A session that is over ends the questions.
        if isinstance(error, ServerError) and error.status in (404, 410):
            return
        if self._follower is not None:
            self._follower.failed()
        self._ask_later()

    def _follow(self, switch: Switch) -> None:
        answer = self.journey.answer
        assert answer is not None
        if switch.link is None:
            assert switch.refusal is not None
            self.link = None
            self._show_link_row(False)
            set_error(self.status_label, core_text(switch.refusal))
            return
        self.link = switch.link
        self.journey.answer = replace(answer, join_url=switch.link.url, provider=switch.link.provider)
        self.link_edit.setText(self.link.url)
        self.open_again_button.setText(self._open_again_text(self.link.provider))
        self.open_again_button.setAccessibleName(self.open_again_button.text().replace("&", ""))
        self._show_link_row(True)
        self.watch = None  # the new provider's program is the one to wait for
        self._open_link(
            self._switched_to(switch.link.provider),
            report=new_step_event("provider_switched", provider=switch.link.provider),
        )
        # The customer's receipt says what changed after they gave permission.
        save_receipt_later(self, self.ctx, self._receipt_saved, amendments=switch.amendments)

    def _switched_to(self, provider: str) -> str:
        if provider == "teamviewer":
            return self.tr("Your technician has switched to TeamViewer.")
        return self.tr("Your technician has switched to Zoho Assist.")

    def _look_for_program(self) -> None:
        answer = self.journey.answer
        if answer is None or self._watcher.busy:
            return
        provider = self.link.provider if self.link is not None else answer.provider

        def look(_task) -> tuple[SupportWatch, bool]:
            watch = self.watch or self.ctx.support_watch(provider)
            return watch, watch.watches_anything and watch.running() is not None

        self._watcher.start(look, self._looked, self._look_failed)

    def _looked(self, result: tuple[SupportWatch, bool]) -> None:
        watch, running = result
        if self.link is not None and watch.provider != self.link.provider:
            return  # asked before a switch of provider: the next look asks about the new one
        self.watch = watch
        if not watch.watches_anything:
            self._watch_timer.stop()  # the demo: no program to wait for
        elif running:
            self._watch_timer.stop()
            wizard = self.wizard()
            if wizard is not None:
                wizard.follow(Event.SUPPORT_STARTED)

    def _look_failed(self, error: Exception) -> None:
        log.warning("could not look for the support program: %s", error)

    def _open_again_text(self, provider: str) -> str:
        if provider == "teamviewer":
            return self.tr("Open TeamViewer &again")
        if provider == "demo":
            return self.tr("Open the demo page &again")
        return self.tr("Open Zoho Assist &again")

    def _what_opens(self, provider: str) -> str:
        """What the customer is about to see, so an expected download does not look like a trap.
        Said only when the desktop reported that it opened the link; whether a window really
        appeared it cannot tell, hence the way to open it again."""
        if provider == "teamviewer":
            text = self.tr(
                "TeamViewer will open in your browser and may ask you to download and run TeamViewer "
                "QuickSupport: that is expected. Then tell your technician the ID it shows."
            )
        elif provider == "demo":
            text = self.tr(
                "The demo join page will open in your browser. In a real session, Zoho Assist opens "
                "here instead."
            )
        else:
            text = self.tr(
                "Zoho Assist will open in your browser and may ask you to run its small connector: that "
                "is expected. Tell your technician you are ready."
            )
        return text + " " + self.tr(
            "If no browser window appeared, or you closed it, press Copy link and paste the link into "
            "your browser's address bar, or press the button to open it again."
        )

    def _watch_expiry(self) -> None:
        session = self.journey.session
        if session is None:
            return
        try:
            left = (parse_iso_utc(session.expires_at) - datetime.now(UTC)).total_seconds()
        except ValueError:
            return
        if left <= 0:
            self._session_over()
        else:
            # QTimer counts in milliseconds up to about 24 days; sessions last hours.
            self._expiry.start(int(min(left, 20 * 24 * 3600) * 1000))

    def _session_over(self) -> None:
        self.link = None
        self._show_link_row(False)
        set_info(
            self.status_label,
            self.tr("This support session has ended, so its link no longer works. If you still need help, ask your technician for a new session code."),
        )

    def _receipt_saved(self, path: Path) -> None:
        self.receipt_path = path
        # The whole name, wrapping inside itself (a receipt id has no space to wrap at).
        self.receipt_label.setText(
            self.tr("Your receipt of this permission was saved as {path}").format(path=wrappable_path(str(path)))
        )
        self.receipt_label.setVisible(True)
        self.open_receipt_button.setVisible(True)

    def open_receipt(self) -> None:
        if self.receipt_path is not None:
            self.ctx.open_url(QUrl.fromLocalFile(str(self.receipt_path)))

    def _browser_did_not_open(self, reference: str) -> str:
        session = self.journey.session
        words = spoken_form(session.verification_words) if session is not None else ""
        return self.tr(
            "Your browser did not open. Press Copy link and paste the link into your browser's address "
            "bar. Or read this to your technician: “My browser did not open the link. My reference is "
            "{reference} and my words are {words}.”"
        ).format(reference=reference, words=words)

    def copy_link(self) -> None:
        if self.link is not None:
            QGuiApplication.clipboard().setText(self.link.url)
            set_info(self.status_label, self.tr("Link copied. Paste it into your browser's address bar."))

    def _show_link_row(self, visible: bool) -> None:
        self.link_edit.setVisible(visible)
        self.copy_button.setVisible(visible)
        self.open_again_button.setVisible(visible)
