"""The support wizard: six pages, registered by id; where the customer goes is the journey's
table (:mod:`app.core.journey`), asked through :func:`next_step` and :func:`follow`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QWizard

from app.core.journey import Event, Step, follow, next_step, start_step
from app.core.step_event import new_step_event
from app.core.step_reports import reports_on_arrival
from app.core.resources import read_bytes
from app.core.utc_time import parse_iso_utc
from app.ui.context import LauncherContext
from app.ui.pages.backup import BackupPage
from app.ui.pages.base import ExpiredBar
from app.ui.pages.connect import ConnectPage
from app.ui.pages.consent import ConsentPage
from app.ui.pages.open_apps import OpenAppsPage
from app.ui.pages.session import SessionPage
from app.ui.pages.terms import TermsPage
from app.ui.window_fit import KeepOnScreen


class PageId(IntEnum):
    SESSION = Step.SESSION
    TERMS = Step.TERMS
    OPEN_APPS = Step.OPEN_APPS
    BACKUP = Step.BACKUP
    CONSENT = Step.CONSENT
    CONNECT = Step.CONNECT


PAGE_CLASSES = {
    PageId.SESSION: SessionPage,
    PageId.TERMS: TermsPage,
    PageId.OPEN_APPS: OpenAppsPage,
    PageId.BACKUP: BackupPage,
    PageId.CONSENT: ConsentPage,
    PageId.CONNECT: ConnectPage,
}


PREFERRED_SIZE = QSize(860, 640)
LOGO_PX = 48


def brand_logo() -> QPixmap | None:
    image = QImage.fromData(read_bytes("logo.png"), "PNG")
    if image.isNull():
        return None
    pixmap = QPixmap.fromImage(image.scaled(LOGO_PX, LOGO_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))
    return pixmap


class SupportWizard(QWizard):
    def __init__(self, ctx: LauncherContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(self.tr("{product} – remote support").format(product=ctx.brand.product_name))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        # No minimum beyond what the header and the buttons need: pages scroll their content, so
        # the window fits a 1024x600 screen and 200 % scaling, its frame kept on the screen.
        self.resize(PREFERRED_SIZE)
        self.keep_on_screen = KeepOnScreen(self)
        self._expired_bars: dict[PageId, ExpiredBar] = {}
        logo = brand_logo()
        for number, (page_id, page_class) in enumerate(PAGE_CLASSES.items(), 1):
            page = page_class(ctx)
            # Where the customer is, and whose launcher this is, on every page.
            page.setTitle(
                self.tr("Step {number} of {total}: {title}").format(number=number, total=len(PAGE_CLASSES), title=page.title())
            )
            if logo is not None:
                page.setPixmap(QWizard.WizardPixmap.LogoPixmap, logo)
            self.setPage(page_id, page)
            if page_id not in (PageId.SESSION, PageId.CONNECT):
                bar = self._expired_bars[page_id] = ExpiredBar()
                bar.new_code.connect(lambda: self.follow(Event.SESSION_EXPIRED))
                page.body.layout().insertWidget(0, bar)
        # The session's code runs out at its expiry time, wherever the customer then is.
        self._expiry = QTimer(self, singleShot=True)
        self._expiry.timeout.connect(self.session_expired)
        self.setStartId(int(start_step(ctx.journey)))
        self._leap: tuple[int, Step] | None = None
        # The technician's console follows the customer forward through the pages.
        self._shown = int(start_step(ctx.journey))
        self.currentIdChanged.connect(self._report_arrival)
        # A bound method, not a lambda holding the wizard: that would keep a closed wizard alive.
        self.finished.connect(self._report_end)
        self.support_bar = None
        for button, name in (
            (QWizard.WizardButton.BackButton, self.tr("Back")),
            (QWizard.WizardButton.NextButton, self.tr("Next")),
            (QWizard.WizardButton.CommitButton, self.tr("Give permission")),
            (QWizard.WizardButton.FinishButton, self.tr("Finish")),
            (QWizard.WizardButton.CancelButton, self.tr("Cancel")),
        ):
            self.button(button).setAccessibleName(name)

    def nextId(self) -> int:  # noqa: N802
        if self._leap is not None and self._leap[0] == self.currentId():
            return int(self._leap[1])
        following = next_step(Step(self.currentId()), self.ctx.journey)
        return -1 if following is None else int(following)

    def watch_session(self) -> None:
        """The Session page checked a code: expire it on time (QTimer holds about 24 days at most)."""
        self._expiry.stop()
        session = self.ctx.journey.session
        if session is None or self.ctx.journey.answer is not None:
            return
        try:
            left = (parse_iso_utc(session.expires_at) - datetime.now(UTC)).total_seconds()
        except ValueError:
            return
        self._expiry.start(int(max(0.0, min(left, 20 * 24 * 3600)) * 1000))

    def session_expired(self) -> None:
        """The code expired before the consent was recorded (its time ran out, or the server said so)."""
        journey = self.ctx.journey
        if journey.answer is not None or journey.session is None:
            return
        journey.session_expired = True
        for bar in self._expired_bars.values():
            bar.setVisible(True)
        self.currentPage().journey_changed()

    def code_renewed(self) -> None:
        """A new code was checked on the Session page: the expired one's traces go."""
        self.ctx.journey.session_expired = False
        for bar in self._expired_bars.values():
            bar.setVisible(False)
        self.watch_session()

    def validateCurrentPage(self) -> bool:  # noqa: N802
        # A leap the journey ordered (a consent recorded) is not the customer's Next: no page
        # holds it up (the Session page of a resumed consent has no open session to show).
        return self._leap is not None or super().validateCurrentPage()

    def follow(self, event: Event) -> None:
        """Go where the journey says ``event`` leads from the current page, if anywhere."""
        here = Step(self.currentId())
        target = follow(here, event, self.ctx.journey)
        if target is None or target == here:
            return
        if target is Step.SUPPORT:
            self._become_support_bar()
            return
        if int(target) in self.visitedIds():
            while self.currentId() != int(target):  # back through the pages, as Back would
                before = self.currentId()
                self.back()
                if self.currentId() == before:
                    break
            self.currentPage().journey_changed()
            return
        # Only from this page: the page arrived at lays out its buttons with its own nextId().
        self._leap = (int(here), target)
        try:
            self.next()
        finally:
            self._leap = None

    def _report_end(self, _result: int) -> None:
        self.ctx.report_step(new_step_event("ended"))

    def _report_arrival(self, page_id: int) -> None:
        forward, self._shown = page_id > self._shown, page_id
        if not forward:
            return  # Back: nothing new for the technician
        for event in reports_on_arrival(Step(page_id), self.ctx.journey):
            self.ctx.report_step(event)

    def _become_support_bar(self) -> None:
        """The session is live: the wizard gives way to the small bar, which ends the launcher."""
        from app.ui.support_bar import SupportBar

        connect = self.page(PageId.CONNECT)
        self.support_bar = SupportBar(self.ctx, connect.watch)
        self.support_bar.place()
        self.support_bar.show()  # before the wizard hides, so the launcher always has a window
        self.hide()

    def page_of(self, page_id: PageId):
        return self.page(int(page_id))

    def reject(self) -> None:
        if self.ctx.journey.answer is None and self.page(PageId.CONSENT).sending:
            leave = self.ctx.ask_yes_no(
                self,
                self.tr("Your permission is being sent"),
                self.tr(
                    "Leave anyway? If it has already reached {company}, tell your technician that you "
                    "changed your mind."
                ).format(company=self.ctx.brand.company),
            )
            if leave:
                super().reject()
            return
        # Leaving before permission is recorded loses nothing; say so, and keep an easy way out.
        if self.ctx.journey.answer is None and self.currentId() != PageId.SESSION:
            leave = self.ctx.ask_yes_no(
                self,
                self.tr("Leave without giving permission?"),
                self.tr("No one will be able to connect to your computer. You can start again at any time."),
            )
            if not leave:
                return
        super().reject()
