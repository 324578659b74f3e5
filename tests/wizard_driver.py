"""Drive the real wizard through its visible controls, the way a customer (or a keyboard) would.

Shared by the end-to-end tests: each step waits for the page's background work with
``qtbot.waitUntil`` rather than sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QWizard

from app.core.brand import load_brand
from app.core.consent_client import ConsentClient
from app.core.terms import load_terms
from app.ui.context import LauncherContext
from app.ui.wizard import PageId, SupportWizard
from tests.scripted_open_apps import CALCULATOR, THUNDERBIRD, ManualClock, ScriptedScanner, no_support_program

WAIT_MS = 10_000


@dataclass
class OpenedUrls:
    """Stands in for the browser: records what would be opened and answers like QDesktopServices."""

    urls: list[str] = field(default_factory=list)
    browser_works: bool = True

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        return self.browser_works


def make_wizard(qtbot, server_url: str, *, demo_origin: str | None = None, initial_code: str | None = None,
                transport=None, backup_folder: str | None = None, client=None, **ctx_options):
    opener = OpenedUrls()
    ctx = LauncherContext(
        brand=load_brand(),
        terms=load_terms(),
        client=client or ConsentClient(server_url, transport=transport),
        initial_code=initial_code,
        demo_origin=demo_origin,
        open_url=opener,
        choose_folder=lambda _parent, _title: backup_folder,
        **{
            "ask_yes_no": lambda _parent, _title, _question: True,
            # The same two open applications wherever the tests run, whatever else is open there.
            "open_apps_scanner": lambda: ScriptedScanner([THUNDERBIRD, CALCULATOR]),
            "clock": ManualClock(),
            "support_watch": no_support_program,
            **ctx_options,
        },
    )
    wizard = SupportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard, opener


class Customer:
    """The steps of the journey, each through the controls a person would use."""

    def __init__(self, qtbot, wizard: SupportWizard) -> None:
        self.qtbot = qtbot
        self.wizard = wizard

    def page(self, page_id: PageId):
        assert self.wizard.currentId() == page_id, f"on page {PageId(self.wizard.currentId()).name}, not {page_id.name}"
        return self.wizard.currentPage()

    def press_next(self) -> None:
        button = self.wizard.button(QWizard.WizardButton.NextButton)
        self.qtbot.waitUntil(button.isEnabled, timeout=WAIT_MS)
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def tick(self, box) -> None:
        """Tick a checkbox from the keyboard (a mouse click at its centre can miss a wide box's
        label); one already ticked, after walking Back, stays ticked."""
        if not box.isChecked():
            box.setFocus()
            self.qtbot.keyClick(box, Qt.Key.Key_Space)
        assert box.isChecked()

    def type_code(self, code: str) -> None:
        page = self.page(PageId.SESSION)
        page.code_edit.clear()
        self.qtbot.keyClicks(page.code_edit, code)
        self.qtbot.keyClick(page.code_edit, Qt.Key.Key_Return)

    def wait_for_session(self):
        page = self.page(PageId.SESSION)
        self.qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
        return page

    def read_and_accept_terms(self) -> str:
        page = self.page(PageId.TERMS)
        assert not page.accept_box.isEnabled(), "terms could be accepted before they were read"
        page.text_view.setFocus()
        self.qtbot.keyClick(page.text_view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        self.qtbot.waitUntil(page.accept_box.isEnabled, timeout=WAIT_MS)
        self.tick(page.accept_box)
        assert page.accept_box.isChecked()
        return page.shown_text

    def pass_open_apps(self) -> None:
        page = self.page(PageId.OPEN_APPS)
        self.qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=WAIT_MS)

    def check_backup(self) -> None:
        page = self.page(PageId.BACKUP)
        self.qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
        self.qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)

    def accept_no_backup(self) -> None:
        page = self.page(PageId.BACKUP)
        self.tick(page.risk_box)
        self.qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)

    def fill_consent(self, name: str = "Ann Example"):
        page = self.page(PageId.CONSENT)
        self.qtbot.keyClicks(page.name_edit, name)
        for box in page.ack_boxes.values():
            self.tick(box)
        return page

    def give_permission(self) -> None:
        button = self.wizard.button(QWizard.WizardButton.CommitButton)
        self.qtbot.waitUntil(button.isEnabled, timeout=WAIT_MS)
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def walk_to_consent(self, *, with_backup: bool = False) -> str:
        """From a looked-up session to a filled-in Consent page; returns the terms text shown."""
        self.wait_for_session()
        self.press_next()
        shown = self.read_and_accept_terms()
        self.press_next()
        self.pass_open_apps()
        self.press_next()
        if with_backup:
            self.check_backup()
        else:
            self.accept_no_backup()
        self.press_next()
        self.fill_consent()
        return shown
