"""Consent page: a summary, the customer's name and acknowledgements, and "Give permission"."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWizard

from app.core.consent_client import ConsentAnswer, ServerError
from app.core.consent_record import ACKNOWLEDGEMENTS
from app.core.consent_recording import record_consent
from app.core.journey import TERMS_ACCEPTED, Event, Step
from app.core.read_back import describe_backup
from app.core.messages import CONTEXT
from app.ui.pages.base import JourneyPage, WrappedCheck, message_label, set_error, set_info
from app.ui.text import core_text
from app.ui.workers import BackgroundRunner


class ConsentPage(JourneyPage):
    step = Step.CONSENT

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.setTitle(self.tr("Give permission"))
        self.setSubTitle(self.tr("Check the summary, type your name and tick each line to give permission."))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Give permission"))
        self._runner = BackgroundRunner(ctx.pool, self)

        self.summary = message_label(self.tr("Summary"))
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Your full name"))
        self.name_edit.setMaxLength(120)
        self.ack_boxes: dict[str, QCheckBox] = {}
        self.ack_lines: list[WrappedCheck] = []
        for key, text in ACKNOWLEDGEMENTS.items():
            if key == TERMS_ACCEPTED:
                continue  # ticked on the Terms page: the customer is not asked twice
            line = WrappedCheck(QCoreApplication.translate(CONTEXT, text))
            line.box.toggled.connect(self._changed)
            self.ack_lines.append(line)
            self.ack_boxes[key] = line.box
        self.status_label = message_label(self.tr("Permission status"))
        self.retry_button = QPushButton(self.tr("&Retry"))
        self.retry_button.setAccessibleName(self.tr("Retry sending your permission"))
        self.retry_button.setVisible(False)

        form = QFormLayout()
        name_label = QLabel(self.tr("Your full &name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.name_edit)
        # Why Give permission is greyed out, in words, next to where the eye is.
        self.missing_label = message_label(self.tr("What is still needed to give permission"))
        self.missing_label.setVisible(False)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.retry_button)
        layout = self.body_layout()
        layout.addWidget(self.summary)
        layout.addLayout(form)
        for line in self.ack_lines:
            layout.addWidget(line)
        layout.addStretch(1)
        layout.addWidget(self.missing_label)
        layout.addLayout(status_row)

        self.name_edit.textChanged.connect(self._changed)
        self.retry_button.clicked.connect(self.send)

    def initializePage(self) -> None:  # noqa: N802
        self.summary.setText(self._summary_text())
        if not self.journey.awaiting_retry:
            # Back here with a new code: what was said about the old one no longer applies.
            set_info(self.status_label, "")
            self.retry_button.setVisible(False)
            self._set_inputs_enabled(True)
        self._changed()

    @property
    def sending(self) -> bool:
        return self.journey.sending

    def validatePage(self) -> bool:  # noqa: N802
        # The GUI thread never waits on the network: the first press starts the send and the
        # page moves on by itself when the server has recorded the consent.
        if self.journey.answer is not None:
            return True
        self.send()
        return False

    def send(self) -> None:
        # Give permission needs a complete page; Retry (after a lost answer) sends the same record.
        if self.journey.sending or not (self.journey.awaiting_retry or self.isComplete()):
            return
        self._set_inputs_enabled(False)
        self.retry_button.setVisible(False)
        set_info(self.status_label, self.tr("Recording your permission with {company}…").format(company=self.ctx.brand.company))
        client, journey, resend, journal = self.ctx.client, self.journey, self.journey.awaiting_retry, self.ctx.journal
        self.journey.sending = True
        self.journey.awaiting_retry = False
        # Into the journal first, then to the server (app.core.consent_recording): a crash strands no one.
        self._runner.start(
            lambda _task: record_consent(client, journey, resend=resend, journal=journal), self._recorded, self._failed
        )
        self._update_buttons()

    def _recorded(self, answer: ConsentAnswer) -> None:
        self.journey.sending = False
        self.journey.answer = answer
        set_info(self.status_label, self.tr("Permission recorded."))
        self._update_buttons()
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            wizard.follow(Event.CONSENT_RECORDED)

    def _failed(self, error: Exception) -> None:
        # No answer or a server failure: the consent may already be on record, so only the very
        # same record may go again (Retry); a changed one would be refused as a second consent.
        self.journey.sending = False
        if isinstance(error, ServerError) and error.error == "expired" and self.wizard() is not None:
            self._set_inputs_enabled(True)
            set_info(self.status_label, "")
            self.retry_button.setVisible(False)
            self.wizard().session_expired()  # the bar above says so, with the way to a new code
            self._update_buttons()
            return
        held = not isinstance(error, ServerError) or error.retryable
        self.journey.awaiting_retry = held
        self._set_inputs_enabled(not held)
        message = core_text(error) if isinstance(error, ServerError) else self.tr(
            "Your permission could not be sent. Nothing is lost: press Retry."
        )
        set_error(self.status_label, message)
        self.retry_button.setVisible(held)
        if held:
            self.retry_button.setFocus()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.completeChanged.emit()
        missing = self.missing()
        # The status line already speaks while sending or after a failure; the hint says the rest.
        hint = "" if missing is None or self.journey.sending or self.journey.awaiting_retry else core_text(missing)
        set_info(self.missing_label, hint)
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            # While a send is under way or held for Retry, going Back could change what is sent.
            held = self.sending or self.journey.awaiting_retry
            wizard.button(QWizard.WizardButton.BackButton).setEnabled(not held)
            wizard.button(QWizard.WizardButton.CommitButton).setToolTip(hint)

    def _changed(self, *_args) -> None:
        self.journey.name = self.name_edit.text()
        self.journey.acknowledgements = {
            **{key: box.isChecked() for key, box in self.ack_boxes.items()},
            TERMS_ACCEPTED: self.journey.terms_accepted,
        }
        self._update_buttons()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        self.name_edit.setEnabled(enabled)
        for box in self.ack_boxes.values():
            box.setEnabled(enabled)

    def _summary_text(self) -> str:
        journey = self.journey
        session = journey.session
        lines = []
        if session is not None:
            lines.append(self.tr("Session: {technician} from {company}").format(technician=session.technician, company=session.company))
        if journey.terms is not None:
            lines.append(self.tr("Terms: version {version}, read and accepted").format(version=journey.terms.version))
        left = [app.name for app in journey.open_apps.left_open]
        lines.append(
            self.tr("Left open: {apps}").format(apps=", ".join(left))
            if left
            else self.tr("No personal or confidential programs were found open.")
        )
        lines.append(core_text(describe_backup(journey.backup)))
        return "\n".join(lines)
