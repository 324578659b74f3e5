"""Terms page: the legal text, verbatim, with what it means in plain words beside it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer
from PySide6.QtGui import QTextCursor, QTextOption
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit

from app.core.journey import TERMS_ACCEPTED, Step
from app.ui.pages.base import JourneyPage, message_label
from app.ui.text import customer_locale


def terms_date(version: str) -> str:
    """A version like ``2024-01`` in plain words ("January 2024"); other versions as they are."""
    try:
        year, month = (int(part) for part in version.split("-"))
        if not 1 <= month <= 12:
            raise ValueError(version)
    except ValueError:
        return version
    locale = customer_locale()
    return f"{locale.standaloneMonthName(month, QLocale.FormatType.LongFormat)} {year}"


class TermsPage(JourneyPage):
    step = Step.TERMS

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        terms = ctx.terms
        self.setTitle(self.tr("Remote support terms"))
        self.setSubTitle(
            self.tr("Please read the terms to the end. These are the terms of {date} (version {version}).").format(
                date=terms_date(terms.version), version=terms.version
            )
        )
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setPlainText(terms.text)
        self.text_view.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.text_view.setAccessibleName(self.tr("Terms and conditions"))
        self.text_view.setAccessibleDescription(self.tr("Scroll to the end to be able to accept."))
        self.text_view.setTabChangesFocus(True)
        # Read-only text ignores the keyboard by default; keyboard readers must reach the end too.
        self.text_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        )

        self.plain_words = QLabel(
            self.tr(
                "What this means:\n\n"
                "• A technician will see your screen and may control your computer.\n\n"
                "• Close anything private first: email, banking, passwords, personal documents.\n\n"
                "• Back up your files first. Remote work can, rarely, lose data.\n\n"
                "• You give permission for this session only. Next time we will ask again.\n\n"
                "• {company} will never ask for your bank details or passwords."
            ).format(company=ctx.brand.company)
        )
        self.plain_words.setWordWrap(True)
        self.plain_words.setAccessibleName(self.tr("What the terms mean in plain words"))
        self.plain_words.setMinimumWidth(220)
        self.plain_words.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.accept_box = QCheckBox(self.tr("I have &read and accept the terms"))
        self.accept_box.setAccessibleName(self.tr("I have read and accept the terms"))
        self.accept_box.setEnabled(False)
        self.hint = message_label(self.tr("Terms reading hint"))
        self.hint.setText(self.tr("Scroll to the end of the terms to be able to accept them."))
        self.accept_box.toggled.connect(self._accepted)

        row = QHBoxLayout()
        row.addWidget(self.text_view, 3)
        row.addWidget(self.plain_words, 2)
        layout = self.body_layout()
        layout.addLayout(row, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.accept_box)

        # End (not only Ctrl+End) takes a keyboard reader to the end of the text, as in a browser.
        self.text_view.installEventFilter(self)

        bar = self.text_view.verticalScrollBar()
        bar.valueChanged.connect(self._check_read)
        bar.rangeChanged.connect(self._check_read)
        self.text_view.cursorPositionChanged.connect(self._check_read)

    @property
    def shown_text(self) -> str:
        """The text exactly as the document holds it; tests check that its hash is the one sent.

        ``toPlainText()`` would turn the terms' no-break spaces into plain ones and change the hash.
        """
        return self.text_view.document().toRawText().replace("\u2029", "\n")

    def initializePage(self) -> None:  # noqa: N802
        self.journey.terms = self.ctx.terms
        self._check_read()
        # The keyboard starts in the text to read (not on Back), once the page is shown.
        QTimer.singleShot(0, self, lambda: self.text_view.setFocus(Qt.FocusReason.OtherFocusReason))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.text_view and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_End:
            self.text_view.moveCursor(QTextCursor.MoveOperation.End)
            self.text_view.ensureCursorVisible()
            return True
        return super().eventFilter(watched, event)

    def _accepted(self, checked: bool) -> None:
        self.journey.terms_accepted = checked
        # Ticked here once: the consent records it, and the Consent page does not ask again.
        self.journey.acknowledgements[TERMS_ACCEPTED] = checked
        self.completeChanged.emit()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        # Once laid out: terms that fit without scrolling count as read.
        QTimer.singleShot(0, self, self._check_read)  # with self as context: dropped if the page is gone

    def _check_read(self, *_args) -> None:
        bar = self.text_view.verticalScrollBar()
        # Before the page is laid out the scroll range is empty and would look "read".
        if not self.text_view.isVisible():
            return
        # A keyboard reader's cursor at the end counts too: QPlainTextEdit scrolls by whole lines
        # and can stop one short of the scroll bar's maximum with the last line in view.
        reached_end = bar.value() >= bar.maximum() or self.text_view.textCursor().atEnd()
        if reached_end and not self.accept_box.isEnabled():
            self.accept_box.setEnabled(True)
            self.hint.setText(self.tr("You have reached the end of the terms."))
