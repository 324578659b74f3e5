"""Connect page: open the join link the server gave, show the reference and the checklist, and
follow the technician's switch to TeamViewer while the page is open."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.core.verification_words import spoken_form
from app.core.consent_client import ConnectionInfo, ServerError
from app.core.join_link import JoinLink, JoinLinkRefused, check_join_link
from app.core.journey import Event, Step, read_back_checklist
from app.core.provider_follow import ProviderFollower, Switch
from app.core.step_event import new_step_event
from app.core.step_reports import join_link_report
from app.core.support_session import SupportWatch
from app.ui.pages.base import data_label, JourneyPage, message_label, set_error, set_info
from app.ui.receipt import save_receipt_later
from app.ui.text import core_text
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
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_edit, 1)
        link_row.addWidget(self.copy_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(QLabel(self.tr("Your reference code:")))
        layout.addWidget(self.reference_label)
        layout.addWidget(self.checklist)
        layout.addLayout(link_row)
        layout.addStretch(1)
        self._show_link_row(False)

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
        save_receipt_later(self, self.ctx)  # the customer's own copy, written off the GUI thread
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
        opened = self.ctx.open_url(QUrl(self.link.url, QUrl.ParsingMode.StrictMode))
        self.ctx.report_step(join_link_report(self.link.provider, bool(opened)))
        if opened:
            set_info(self.status_label, self._what_opens(self.link.provider))
            self.journey.link_opened = True
            self._watch_timer.start()
        else:
            set_error(self.status_label, self._browser_did_not_open(answer.reference))
        self.link_edit.setText(self.link.url)
        self._show_link_row(not opened)
        self._start_following()

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
        self.watch = None  # the new provider's program is the one to wait for
        opened = self.ctx.open_url(QUrl(self.link.url, QUrl.ParsingMode.StrictMode))
        self.ctx.report_step(new_step_event("provider_switched", provider=switch.link.provider))
        if opened:
            self.journey.link_opened = True
            self._watch_timer.start()
        switched = self._switched_to(switch.link.provider)
        if opened:
            set_info(self.status_label, f"{switched} {self._what_opens(switch.link.provider)}")
        else:
            set_error(self.status_label, f"{switched} {self._browser_did_not_open(answer.reference)}")
        self.link_edit.setText(self.link.url)
        self._show_link_row(not opened)
        # The customer's receipt says what changed after they gave permission.
        save_receipt_later(self, self.ctx, amendments=switch.amendments)

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

    def _what_opens(self, provider: str) -> str:
        """What the customer is about to see, so an expected download does not look like a trap."""
        if provider == "teamviewer":
            return self.tr(
                "TeamViewer will open in your browser and may ask you to download and run TeamViewer "
                "QuickSupport: that is expected. Then tell your technician the ID it shows."
            )
        if provider == "demo":
            return self.tr(
                "The demo join page will open in your browser. In a real session, Zoho Assist opens "
                "here instead."
            )
        return self.tr(
            "Zoho Assist will open in your browser and may ask you to run its small connector: that "
            "is expected. Tell your technician you are ready."
        )

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
