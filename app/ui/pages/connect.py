"""Connect page: open the join link the server gave, show the reference and the checklist."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.core.verification_words import spoken_form
from app.core.join_link import JoinLink, JoinLinkRefused, check_join_link
from app.core.journey import Step, read_back_checklist
from app.ui.pages.base import data_label, JourneyPage, message_label, set_error, set_info
from app.ui.receipt import save_receipt_later
from app.ui.text import core_text


class ConnectPage(JourneyPage):
    step = Step.CONNECT

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Connect to your technician"))
        # A subtitle keeps the same header as the other pages (QWizard drops it for pages without one).
        self.setSubTitle(self.tr("Your permission is recorded. It is for this session only."))
        self.link: JoinLink | None = None

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
        if opened:
            set_info(self.status_label, self._what_opens(self.link.provider))
        else:
            set_error(self.status_label, self._browser_did_not_open(answer.reference))
        self.link_edit.setText(self.link.url)
        self._show_link_row(not opened)

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
