"""The "being supported" bar, end to end: the real wizard against the real server, and a stand-in
for Zoho Assist's customer program (tests/open_apps_fake_app.py named ``ZohoMeeting``, as in
resources/support_programs.json) with a real window on a private Xvfb.

The bar appears once the program runs after Connect; End support now closes the program (asked
as its own window would be) and the server holds the withdrawal; a program that exits by itself
makes the bar report the end and go.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import Qt

from app.core.open_apps.linux_x11 import X11Backend
from app.core.open_apps.processes import ProcessTable, snapshot
from app.core.support_session import SupportWatch
from server.embedded import EmbeddedServer
from testbed.xvfb import MISSING_REASON, private_xvfb, xvfb_missing
from tests.wizard_driver import Customer, PageId, make_wizard

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 backend: Linux only"),
    pytest.mark.skipif(xvfb_missing(), reason=MISSING_REASON),
]

FAKE_APP = Path(__file__).with_name("open_apps_fake_app.py")
ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def display():
    with private_xvfb("1024x768x24") as name:
        yield name


@pytest.fixture
def zoho_agent(display):
    """Starts the stand-in Zoho Assist program; stops it at the end if it still runs."""
    started: list[subprocess.Popen] = []

    def start(*options: str) -> subprocess.Popen:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        proc = subprocess.Popen(
            [sys.executable, str(FAKE_APP), "--name", "ZohoMeeting", "--title", "Zoho Assist", *options],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        started.append(proc)
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        if not ready or proc.stdout.readline().strip() != "ready":
            pytest.fail("the stand-in Zoho Assist program did not start")
        threading.Thread(target=proc.wait, daemon=True).start()  # reaped at once when it exits
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def our_processes_only() -> ProcessTable:
    """Only this test's own process tree: other runs on this machine may start a stand-in of the
    same name, and the bar must neither see nor close theirs."""
    table = snapshot()
    ours = {os.getpid()} | {c.pid for c in psutil.Process().children(recursive=True)}
    return ProcessTable({p: n for p, n in table.names.items() if p in ours},
                        {p: proc for p, proc in table.processes.items() if p in ours})


def supported_wizard(qtbot, server: EmbeddedServer, display: str, questions: list[str]):
    session = server.create_session(join_url=ZOHO_LINK, technician="Sam Carter")

    def confirm(_bar) -> bool:
        questions.append("End support?")
        return True

    wizard, opened = make_wizard(
        qtbot, server.base_url, initial_code=session["code"],
        support_watch=lambda provider: SupportWatch(provider, X11Backend(display), take_snapshot=our_processes_only),
        support_poll_ms=100, support_linger_ms=300, confirm_end_support=confirm,
    )
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=WAIT_MS)
    assert opened.urls == [ZOHO_LINK]
    return wizard


def wait_for_bar(qtbot, wizard):
    qtbot.waitUntil(lambda: wizard.support_bar is not None and wizard.support_bar.isVisible(), timeout=WAIT_MS)
    assert not wizard.isVisible()
    return wizard.support_bar


def test_the_bar_appears_once_zoho_assist_runs_and_end_closes_it_and_records_the_withdrawal(
    qtbot, consent_server, display, zoho_agent
):
    questions: list[str] = []
    wizard = supported_wizard(qtbot, consent_server, display, questions)
    assert wizard.isVisible() and wizard.support_bar is None  # no program yet: still on Connect
    agent = zoho_agent()
    bar = wait_for_bar(qtbot, wizard)

    reference = wizard.ctx.journey.answer.reference
    assert bar.status_label.text() == f"Sam Carter may see and control your screen · reference {reference}"
    assert bar.brand_label.text() == "Phonetex support"
    assert bar.end_button.accessibleName() == "End support now" and bar.end_button.isVisible()
    assert bar.accessibleName() == "Phonetex support bar"
    # On top, clear of the taskbar: inside the screen's available area.
    assert bar.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert bar.screen().availableGeometry().contains(bar.frameGeometry())

    # Keyboard alone: Ctrl+arrows move it, never past the available area (the taskbar stays clear).
    area = bar.screen().availableGeometry()
    bar.activateWindow()
    for _ in range(60):
        qtbot.keyClick(bar, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert bar.geometry().bottom() <= area.bottom() and bar.y() > area.top()
    for _ in range(60):
        qtbot.keyClick(bar, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert bar.y() == area.top()
    focusable = [bar.status_label, bar.end_button]
    assert all(w.focusPolicy() in (Qt.FocusPolicy.TabFocus, Qt.FocusPolicy.StrongFocus) for w in focusable)

    qtbot.mouseClick(bar.end_button, Qt.MouseButton.LeftButton)
    assert questions == ["End support?"]
    qtbot.waitUntil(lambda: agent.poll() is not None, timeout=WAIT_MS)
    assert agent.returncode == 0  # it quit when asked: its window was closed, not killed
    qtbot.waitUntil(lambda: bar.withdrawal is not None, timeout=WAIT_MS)
    assert bar.status_label.text() == (
        "Support has ended. The technician can no longer see your screen. Nothing was installed."
    )
    assert bar.close_button.isVisible() and not bar.end_button.isVisible()
    receipt_id = wizard.ctx.journey.answer.receipt.record.receipt_id
    stored = consent_server.store.withdrawal(receipt_id)
    assert (stored.reason, bar.withdrawal.status) == ("customer", "withdrawn")


def test_a_program_that_will_not_close_when_asked_is_ended(qtbot, consent_server, display, zoho_agent):
    wizard = supported_wizard(qtbot, consent_server, display, [])
    agent = zoho_agent("--ignore-close")
    bar = wait_for_bar(qtbot, wizard)
    bar.end_support()
    qtbot.waitUntil(lambda: agent.poll() is not None, timeout=WAIT_MS)
    assert agent.returncode != 0  # it refused the polite close and was ended
    qtbot.waitUntil(lambda: bar.withdrawal is not None, timeout=WAIT_MS)
    assert bar.status_label.text().startswith("Support has ended.")


def test_when_the_program_ends_by_itself_the_bar_says_so_reports_it_and_goes(qtbot, consent_server, display, zoho_agent):
    wizard = supported_wizard(qtbot, consent_server, display, [])
    zoho_agent("--exit-after", "1.5")
    bar = wait_for_bar(qtbot, wizard)
    qtbot.waitUntil(lambda: bar.state == "ended", timeout=WAIT_MS)
    assert bar.status_label.text() == (
        "Zoho Assist has closed, so support has ended. The technician can no longer see your screen. "
        "Nothing was installed."
    )
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=WAIT_MS)  # it goes by itself
    receipt_id = wizard.ctx.journey.answer.receipt.record.receipt_id
    assert consent_server.store.withdrawal(receipt_id).reason == "program_ended"
