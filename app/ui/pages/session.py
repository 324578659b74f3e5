"""Session page: which support session this is, who is helping, and how to tell it is really them."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.core.consent_flow import Looked, look_up
from app.core.journey import Event, Step, resume_from
from app.core.verification_words import spoken_form
from app.core.consent_client import ServerError, SessionInfo
from app.core.step_event import new_step_event
from app.core.session_code import SessionCodeError, format_session_code, parse_session_code
from app.ui.pages.base import data_label, JourneyPage, message_label, set_error, set_info
from app.ui.text import core_text, local_time
from app.ui.workers import BackgroundRunner


class SessionPage(JourneyPage):
    step = Step.SESSION

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        company = ctx.brand.company
        self.setTitle(self.tr("Your support session"))
        self.setSubTitle(self.tr("Type the 9-digit session code your {company} technician gave you.").format(company=company))
        self._runner = BackgroundRunner(ctx.pool, self)

        self.code_edit = QLineEdit()
        # No digits in the grey hint: an example code on the screen looks like the customer's own.
        self.code_edit.setPlaceholderText(self.tr("The 9 digits from your technician"))
        self.code_edit.setAccessibleName(self.tr("Session code"))
        self.code_edit.setMaxLength(20)
        font = self.code_edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.code_edit.setFont(font)
        self.check_button = QPushButton(self.tr("Chec&k code"))
        self.check_button.setAccessibleName(self.tr("Check session code"))
        self.status_label = message_label(self.tr("Session status"))

        self.company_value = data_label()
        self.technician_value = data_label()
        self.ticket_value = data_label()
        self.expires_value = data_label()
        details = QFormLayout()
        for caption, value, name in (
            (self.tr("Company:"), self.company_value, self.tr("Company")),
            (self.tr("Technician:"), self.technician_value, self.tr("Technician")),
            (self.tr("Ticket:"), self.ticket_value, self.tr("Ticket")),
            (self.tr("Code valid until:"), self.expires_value, self.tr("Code valid until")),
        ):
            value.setAccessibleName(name)
            details.addRow(caption, value)

        self.words_caption = QLabel(self.tr("Verification words:"))
        self.words_value = data_label()
        self.words_value.setAccessibleName(self.tr("Verification words"))
        words_font = self.words_value.font()
        words_font.setPointSizeF(words_font.pointSizeF() * 1.5)
        words_font.setBold(True)
        self.words_value.setFont(words_font)
        self.words_hint = message_label(self.tr("How to check the verification words"))
        self.words_hint.setText(
            self.tr(
                "Ask your technician to read you the three words on their screen. Go on only if they "
                "say exactly these words."
            )
        )
        details.addRow(self.words_caption, self.words_value)
        # What the launcher tells the technician's console (app.core.step_event), said up front.
        self.steps_note = message_label(self.tr("What your technician sees"))
        self.steps_note.setText(self.tr("Your technician will see which step you are on, and nothing more, until you give permission."))

        # Always on the page, before anything is typed: this is where a scam call is stopped.
        self.warning_label = message_label(self.tr("Warning about scams"))
        self.warning_label.setText(
            self.tr(
                "{company} will never ask you for bank details or passwords, and never starts support "
                "unless you called us or we agreed a time. If anything feels wrong, hang up and call us "
                "on {phone}."
            ).format(company=company, phone=ctx.brand.phone)
        )
        warning_box = QFrame()
        warning_box.setObjectName("scamWarning")
        warning_box.setStyleSheet(
            "#scamWarning { background: #fff4e5; border: 1px solid #e0a040; border-radius: 4px; }"
        )
        warning_title = QLabel(self.tr("Is this really {company}?").format(company=company))
        title_font = warning_title.font()
        title_font.setBold(True)
        warning_title.setFont(title_font)
        warning_layout = QVBoxLayout(warning_box)
        warning_layout.addWidget(warning_title)
        warning_layout.addWidget(self.warning_label)

        code_row = QHBoxLayout()
        code_label = QLabel(self.tr("Session &code:"))
        code_label.setBuddy(self.code_edit)
        code_row.addWidget(code_label)
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.check_button)

        layout = self.body_layout()
        layout.addLayout(code_row)
        layout.addWidget(self.status_label)
        layout.addLayout(details)
        layout.addWidget(self.words_hint)
        layout.addWidget(self.steps_note)
        layout.addStretch(1)
        layout.addWidget(warning_box)
        self._details_form = details
        self._detail_fields = (
            self.company_value,
            self.technician_value,
            self.ticket_value,
            self.expires_value,
            self.words_value,
        )
        self._show_details(None)

        # Look up a complete code shortly after typing stops, so a pasted code needs no extra click.
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self._lookup_if_valid)
        self.code_edit.textEdited.connect(self._group_typed_digits)
        self.code_edit.textEdited.connect(self._code_edited)
        self.code_edit.returnPressed.connect(self.lookup)
        self.check_button.clicked.connect(self.lookup)

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        if self.ctx.intake_error is not None:
            set_error(self.status_label, core_text(self.ctx.intake_error))
        if self.ctx.initial_code and not self.code_edit.text():
            self.code_edit.setText(format_session_code(self.ctx.initial_code))
            self.lookup()

    def _group_typed_digits(self, text: str) -> None:
        """Typed or pasted digits are grouped like a filled-in code (482 913 557), the cursor kept
        after the same digit; anything else the customer typed is left for the check to explain."""
        digits = "".join(ch for ch in text if ch.isdigit())
        if not text or len(digits) > 9 or any(not (ch.isdigit() or ch in " -.") for ch in text):
            return
        grouped = " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
        if grouped == text:
            return
        digits_before_cursor = sum(1 for ch in text[: self.code_edit.cursorPosition()] if ch.isdigit())
        position, seen = 0, 0
        while position < len(grouped) and seen < digits_before_cursor:
            if grouped[position].isdigit():
                seen += 1
            position += 1
        self.code_edit.setText(grouped)
        self.code_edit.setCursorPosition(position)

    def _code_edited(self, _text: str) -> None:
        self.journey.session = None
        self._runner.cancel_pending()
        self._show_details(None)
        set_info(self.status_label, "")
        self.completeChanged.emit()
        self._debounce.start()

    def journey_changed(self) -> None:
        if self.journey.session_expired:
            # Back from wherever the code ran out: say so here, where the new code goes.
            self._show_details(None)
            set_error(
                self.status_label,
                self.tr("This session code has expired. Type the new code your technician gives you, then press Check code."),
            )
            self.code_edit.setFocus()
            self.code_edit.selectAll()
        super().journey_changed()

    def _lookup_if_valid(self) -> None:
        try:
            parse_session_code(self.code_edit.text())
        except SessionCodeError:
            return
        self.lookup()

    def validatePage(self) -> bool:  # noqa: N802
        # Leaving with a checked session: an older look-up still on its way must not undo it.
        self._runner.cancel_pending()
        self._debounce.stop()
        return self.isComplete()

    def lookup(self) -> None:
        try:
            code = parse_session_code(self.code_edit.text())
        except SessionCodeError as error:
            set_error(self.status_label, core_text(error))
            return
        self._debounce.stop()
        if self.isComplete() and self.journey.session.code == code:
            return  # already checked: Enter here means Next, not a second look-up
        set_info(self.status_label, self.tr("Checking the code with {company}…").format(company=self.ctx.brand.company))
        client, journal = self.ctx.client, self.ctx.journal
        self._runner.start(lambda _task: look_up(client, journal, code), self._found, self._failed)

    def _found(self, looked: Looked) -> None:
        session = looked.session
        if looked.resumed is not None:
            # This computer kept the consent given for this code: straight back to its join link.
            resumed = looked.resumed
            resume_from(self.journey, session, resumed.kept.record, resumed.answer)
            self._show_details(None)
            set_info(self.status_label, self.tr("Your permission for this session was already recorded. Opening the connection page…"))
            self.completeChanged.emit()
            wizard = self.wizard()
            if wizard is not None and wizard.currentPage() is self:
                wizard.follow(Event.CONSENT_RECORDED)
            return
        if session.status == "open":
            self._show_details(session)
            self.journey.session = session
            self.ctx.report_step(new_step_event("launcher_started"), once=True)
            wizard = self.wizard()
            if wizard is not None:
                wizard.code_renewed()
            set_info(
                self.status_label,
                self.tr(
                    "This is a {company} support session. Check the verification words with your "
                    "technician, then press Next."
                ).format(company=session.company),
            )
        else:
            # Used once already: its words must not reassure anyone into a second session.
            self._show_details(None)
            self.journey.session = None
            set_error(
                self.status_label,
                self.tr(
                    "Permission for session {code} was already given, but not on this computer. On the "
                    "computer where it was given, start the launcher again with this code to get back to "
                    "the connection link. If you did not give it, or you need more help, ask your "
                    "technician for a new code."
                ).format(code=format_session_code(session.code)),
            )
        self.completeChanged.emit()

    def _failed(self, error: Exception) -> None:
        self.journey.session = None
        self._show_details(None)
        own = self._own_words_for(error) if isinstance(error, ServerError) else None
        if own is not None:
            message = own
        elif isinstance(error, (ServerError, SessionCodeError)):
            message = core_text(error)
        else:
            message = self.tr("Something went wrong while checking the code. Press Check code to try again.")
        set_error(self.status_label, message)
        self.completeChanged.emit()

    def _own_words_for(self, error: ServerError) -> str | None:
        """The client's words for a failed exchange speak of Retry and of recording; on this page
        nothing was being recorded and the button is Check code."""
        company = self.ctx.brand.company
        if error.failure == ServerError.INSECURE:
            return self.tr(
                "The connection to {company}'s server could not be verified as secure, so nothing was sent. "
                "If you are on a public or hotel network, try another network, then press Check code."
            ).format(company=company)
        if error.failure in (ServerError.NO_ANSWER, ServerError.SERVER_FAILED):
            return self.tr(
                "The code could not be checked: {company}'s server could not be reached or had a problem. "
                "Check that you are connected to the internet, then press Check code."
            ).format(company=company)
        return None

    def _show_details(self, session: SessionInfo | None) -> None:
        for field in self._detail_fields:
            self._details_form.setRowVisible(field, session is not None)
        self.words_hint.setVisible(session is not None)
        if session is None:
            return
        self.company_value.setText(session.company)
        self.technician_value.setText(session.technician)
        self.ticket_value.setText(session.ticket or self.tr("none given"))
        self.expires_value.setText(local_time(session.expires_at))
        self.words_value.setText(spoken_form(session.verification_words))
