"""The Open apps page driven through its controls, with the scanner replaced by a scripted one."""

from __future__ import annotations

import threading

import psutil
import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool
from PySide6.QtWidgets import QApplication

from app.core.brand import load_brand
from app.core.consent_client import ConsentClient
from app.core.consent_record import AppSummary
from app.core.open_apps import CloseOutcome, OpenAppsScanner
from app.core.open_apps.process_list import ProcessListBackend
from app.core.terms import load_terms
from app.ui.context import LauncherContext
from app.ui.pages.open_apps import OpenAppsPage
from tests.scripted_open_apps import CALCULATOR, FIREFOX, KEEPASSXC, THUNDERBIRD, ManualClock, ScriptedScanner, make_app

WAIT_MS = 10_000


def make_page(qtbot, scanner, confirm=lambda _parent, _name: pytest.fail("nothing should be forced"), clock=None, **options):
    ctx = LauncherContext(
        brand=load_brand(), terms=load_terms(), client=ConsentClient("http://127.0.0.1:9"), pool=QThreadPool(),
        open_apps_scanner=lambda: scanner, clock=clock or ManualClock(),
    )
    options.setdefault("refresh_ms", 60_000)  # refreshes come when the test asks for them
    page = OpenAppsPage(ctx, confirm_force=confirm, **options)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.initializePage()
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
    return page


def refresh_and_wait(qtbot, page, scanner):
    before = scanner.scans
    qtbot.waitUntil(lambda: not page._scan_runner.busy, timeout=WAIT_MS)
    page.refresh()
    qtbot.waitUntil(lambda: scanner.scans > before and not page._scan_runner.busy, timeout=WAIT_MS)


class ShowHideCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _watched, event):  # noqa: N802
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.count += 1
        return False


def test_refreshes_update_rows_in_place_keeping_focus_and_never_hiding_rows(qtbot):
    scanner = ScriptedScanner([THUNDERBIRD, KEEPASSXC, CALCULATOR])
    page = make_page(qtbot, scanner, refresh_ms=60_000)
    assert page.row_keys() == ["thunderbird", "keepassxc", "x-calc"]
    rows = {key: page.row(key) for key in page.row_keys()}
    counter = ShowHideCounter()
    for row in rows.values():
        row.installEventFilter(counter)
    page.row("keepassxc").close_button.setFocus()
    qtbot.waitUntil(lambda: page.row("keepassxc").close_button.hasFocus(), timeout=WAIT_MS)

    for _ in range(3):
        refresh_and_wait(qtbot, page, scanner)
    assert counter.count == 0
    assert {key: page.row(key) for key in page.row_keys()} == rows

    scanner.apps.insert(1, FIREFOX)  # a new app lands between existing rows (the core sorts)
    refresh_and_wait(qtbot, page, scanner)
    assert page.row_keys() == ["thunderbird", "firefox", "keepassxc", "x-calc"]
    assert all(page.row(key) is row for key, row in rows.items())
    assert page.row("keepassxc").close_button.hasFocus()
    # Tab walks the rows in the order they are shown, then reaches Refresh.
    chain = [page.row(k).close_button for k in page.row_keys()]
    assert [b.nextInFocusChain().nextInFocusChain() for b in chain[:-1]] == chain[1:]
    assert chain[-1].nextInFocusChain().nextInFocusChain() is page.refresh_button


def test_when_the_focused_app_goes_the_focus_moves_to_another_row_not_away(qtbot):
    scanner = ScriptedScanner([THUNDERBIRD, KEEPASSXC, CALCULATOR])
    page = make_page(qtbot, scanner, refresh_ms=60_000)
    page.row("keepassxc").close_button.setFocus()
    qtbot.waitUntil(lambda: page.row("keepassxc").close_button.hasFocus(), timeout=WAIT_MS)
    scanner.apps.remove(KEEPASSXC)
    refresh_and_wait(qtbot, page, scanner)
    assert page.row_keys() == ["thunderbird", "x-calc"]
    # The row that took its place has the focus, so the keyboard user goes on from there.
    assert QApplication.focusWidget() is page.row("x-calc").close_button


def test_flagged_apps_are_grouped_under_a_heading_with_why_and_the_rest_below(qtbot):
    shell = make_app("windows-shell", "Windows desktop", protected="shell", catalogued=True, pid=20)
    theirs = make_app("quicken", "Quicken", "finance", protected="other-user", pid=21)
    scanner = ScriptedScanner([THUNDERBIRD, theirs, CALCULATOR, shell])
    page = make_page(qtbot, scanner)
    assert page.flagged_header.isVisible() and page.other_header.isVisible()
    assert page.row("thunderbird").why_label.text().startswith("Email")
    assert page.row("x-calc").why_label.text() == "Other application."
    assert not page.row("windows-shell").close_button.isVisible()
    assert "desktop" in page.row("windows-shell").why_label.text()
    assert not page.row("quicken").close_button.isVisible()
    assert "another user" in page.row("quicken").why_label.text()
    assert "closing" not in page.why_label.text().lower() or "save" in page.why_label.text()
    assert page.row("thunderbird").close_button.accessibleName() == "Close Thunderbird"
    assert page.row("thunderbird").accessibleName().startswith("Thunderbird. Email")
    summary = page.journey.open_apps
    assert summary.left_open == (AppSummary("Quicken", "finance"), AppSummary("Thunderbird", "email"))


def test_without_a_window_list_the_page_says_so_and_still_flags(qtbot):
    scanner = ScriptedScanner([THUNDERBIRD], windows_listed=False)
    page = make_page(qtbot, scanner)
    assert page.fallback_label.isVisible()
    assert "running programs instead" in page.fallback_label.text()
    assert page.row_keys() == ["thunderbird"] and page.flagged_header.isVisible()
    assert page.journey.open_apps.windows_listed is False


def test_force_close_is_offered_only_after_the_wait_and_only_with_a_yes(qtbot):
    answers = [False, True]
    asked = []

    def confirm(_parent, name):
        asked.append(name)
        return answers.pop(0)

    scanner = ScriptedScanner([KEEPASSXC, CALCULATOR])
    clock = ManualClock()
    page = make_page(qtbot, scanner, confirm, clock=clock, patience=5.0)
    row = page.row("keepassxc")
    assert not row.force_button.isVisible()
    page.force_app("keepassxc")  # even called directly, nothing happens before the polite try
    assert asked == [] and scanner.forced == []
    qtbot.mouseClick(row.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scanner.closed == ["keepassxc"], timeout=WAIT_MS)
    clock.advance(4.9)
    refresh_and_wait(qtbot, page, scanner)
    assert not row.force_button.isVisible(), "Force close offered before the application had its time"
    assert "Asking it to close" in row.status_label.text()
    clock.advance(0.2)
    refresh_and_wait(qtbot, page, scanner)
    assert row.force_button.isVisible()
    assert "save" in row.status_label.text()
    qtbot.mouseClick(row.force_button, Qt.MouseButton.LeftButton)
    assert asked == ["KeePassXC"] and scanner.forced == []
    qtbot.mouseClick(row.force_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "keepassxc" not in page.row_keys(), timeout=WAIT_MS)
    assert scanner.forced == ["keepassxc"]
    assert page.journey.open_apps.closed == (AppSummary("KeePassXC", "password-manager"),)
    assert page.journey.open_apps.left_open == ()


def test_the_list_refreshes_by_itself_while_shown_and_more_often_while_an_app_closes(qtbot):
    scanner = ScriptedScanner([THUNDERBIRD])
    page = make_page(qtbot, scanner, refresh_ms=3000)
    assert page._timer.isActive() and page._timer.interval() == 3000
    scanner.apps.append(FIREFOX)
    before = scanner.scans
    page._timer.timeout.emit()  # the timer's tick, without waiting three seconds for it
    qtbot.waitUntil(lambda: "firefox" in page.row_keys(), timeout=WAIT_MS)
    assert scanner.scans == before + 1
    qtbot.mouseClick(page.row("thunderbird").close_button, Qt.MouseButton.LeftButton)
    assert page._timer.interval() == 500
    page.hide()  # behind another page: no more scanning
    assert not page._timer.isActive()
    page.show()
    assert page._timer.isActive()


def test_the_real_scan_runs_off_the_gui_thread(qtbot, monkeypatch):
    threads = set()
    real = psutil.process_iter

    def spying(*args, **kwargs):
        threads.add(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(psutil, "process_iter", spying)
    scanner = ScriptedScanner([])
    page = make_page(qtbot, scanner, refresh_ms=60_000)
    page._scanner = OpenAppsScanner(ProcessListBackend())
    refresh_and_wait_real(qtbot, page)
    assert threads and threading.main_thread() not in threads
    assert threading.main_thread() not in scanner.threads


def refresh_and_wait_real(qtbot, page):
    qtbot.waitUntil(lambda: not page._scan_runner.busy, timeout=WAIT_MS)
    page.refresh()
    qtbot.waitUntil(lambda: not page._scan_runner.busy, timeout=WAIT_MS)


def test_a_failed_scan_says_what_to_do_and_holds_next_until_the_list_is_read(qtbot):
    """The consent record must not claim nothing was left open when nothing could be read."""

    class BrokenOnce(ScriptedScanner):
        def scan(self):
            if self.scans == 0:
                self.scans += 1
                raise OSError("no /proc")
            return super().scan()

    scanner = BrokenOnce([])
    ctx = LauncherContext(brand=load_brand(), terms=load_terms(), client=ConsentClient("http://127.0.0.1:9"), pool=QThreadPool(),
                          open_apps_scanner=lambda: scanner, clock=ManualClock())
    page = OpenAppsPage(ctx, confirm_force=lambda *_: False)
    qtbot.addWidget(page)
    page.initializePage()
    page.show()
    qtbot.waitUntil(lambda: "Refresh now" in page.status_label.text(), timeout=WAIT_MS)
    assert not page.isComplete() and page.refresh_button.isEnabled()
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)

def test_an_app_told_to_quit_by_signal_says_it_may_not_offer_to_save(qtbot):
    """With no window to ask (Wayland, a tray app), Close sends SIGTERM: the row says so plainly."""

    class NoWindowToAsk(ScriptedScanner):
        def close(self, app):
            super().close(app)
            return CloseOutcome.SIGNALLED

    scanner = NoWindowToAsk([KEEPASSXC, CALCULATOR])
    page = make_page(qtbot, scanner, patience=30)
    row = page.row("keepassxc")
    qtbot.mouseClick(row.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "may close without offering to save" in row.status_label.text(), timeout=WAIT_MS)


def test_rows_hold_still_under_the_pointer_so_a_second_click_lands_where_it_was_aimed(qtbot):
    """Two clicks 800 ms apart once closed Thunderbird and then Firefox: the row under the pointer
    must stay the one the customer aimed at while the list changes."""
    scanner = ScriptedScanner([THUNDERBIRD, KEEPASSXC, CALCULATOR])
    page = make_page(qtbot, scanner)
    aimed = page.row("keepassxc").close_button
    where = aimed.mapTo(page, aimed.rect().center())
    QApplication.sendEvent(page.app_list, QEvent(QEvent.Type.Enter))  # the pointer is over the list
    qtbot.mouseClick(page.row("thunderbird").close_button, Qt.MouseButton.LeftButton)
    scanner.apps = [KEEPASSXC, FIREFOX, CALCULATOR]  # Thunderbird quit, Firefox opened
    refresh_and_wait(qtbot, page, scanner)
    assert page.row_keys() == ["thunderbird", "keepassxc", "x-calc"]
    assert aimed.mapTo(page, aimed.rect().center()) == where
    assert page.row("thunderbird").status_label.text() == "Closed."
    assert not page.row("thunderbird").close_button.isEnabled()
    qtbot.mouseClick(page.childAt(where), Qt.MouseButton.LeftButton)  # the second click, same place
    qtbot.waitUntil(lambda: scanner.closed == ["thunderbird", "keepassxc"], timeout=WAIT_MS)
    QApplication.sendEvent(page.app_list, QEvent(QEvent.Type.Leave))  # the pointer has left: now lay out
    assert page.row_keys() == ["keepassxc", "firefox", "x-calc"]


def test_a_status_line_appearing_does_not_push_the_rows_below(qtbot):
    scanner = ScriptedScanner([THUNDERBIRD, KEEPASSXC])
    page = make_page(qtbot, scanner)
    below = page.row("keepassxc").close_button
    before = below.mapTo(page, below.rect().topLeft())
    qtbot.mouseClick(page.row("thunderbird").close_button, Qt.MouseButton.LeftButton)
    assert "Asking it to close" in page.row("thunderbird").status_label.text()
    qtbot.waitUntil(lambda: below.mapTo(page, below.rect().topLeft()) == before, timeout=WAIT_MS)
