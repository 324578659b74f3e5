"""The Linux X11 backend and the Open apps page against a real X server (Xvfb, no window manager).

Stand-in applications (tests/open_apps_fake_app.py) run with the process names of catalogued
confidential applications — ``thunderbird``, ``keepassxc``, ``soffice.bin`` — and one the
catalogue does not know. Skipped with the reason when Xvfb is not installed (``make system-deps``).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import Qt, QThreadPool

from app.core.brand import load_brand
from app.core.consent_client import ConsentClient
from app.core.consent_record import AppSummary
from app.core.open_apps import OpenAppsScanner
from app.core.open_apps.linux_x11 import X11Backend
from app.core.open_apps.processes import ProcessTable, snapshot
from app.core.terms import load_terms
from app.ui.context import LauncherContext
from app.ui.pages.open_apps import OpenAppsPage
from testbed.xvfb import MISSING_REASON, private_xvfb, xvfb_missing
from tests.scripted_open_apps import ManualClock

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 backend: Linux only"),
    pytest.mark.skipif(xvfb_missing(), reason=MISSING_REASON),
]

FAKE_APP = Path(__file__).with_name("open_apps_fake_app.py")
START_S = 60
WAIT_MS = 20_000


def _read_line(stream, seconds: float) -> str:
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ""


@pytest.fixture(scope="module")
def display():
    with private_xvfb("1024x768x24") as name:
        yield name


@pytest.fixture
def start_app(display):
    started: list[subprocess.Popen] = []

    def start(name: str, *options: str) -> subprocess.Popen:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        proc = subprocess.Popen(
            [sys.executable, str(FAKE_APP), "--name", name, "--title", f"{name} private data", *options],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        started.append(proc)
        if _read_line(proc.stdout, START_S).strip() != "ready":
            pytest.fail(f"the stand-in {name} did not start")
        # Reap it as soon as it exits, so a closed application does not linger as a zombie.
        threading.Thread(target=proc.wait, daemon=True).start()
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
    for proc in started:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def our_processes_only() -> ProcessTable:
    """The snapshot limited to this test's own process tree: other test runs on the same machine
    start stand-ins with the same names, and those must not count as open here."""
    table = snapshot()
    ours = {pid for pid in table.names if pid == os.getpid()} | {c.pid for c in psutil.Process().children(recursive=True)}
    return ProcessTable({p: n for p, n in table.names.items() if p in ours},
                        {p: proc for p, proc in table.processes.items() if p in ours})


def scanner_for(display: str) -> OpenAppsScanner:
    return OpenAppsScanner(X11Backend(display), take_snapshot=our_processes_only)


def wait_for(condition, seconds: float = WAIT_MS / 1000):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_x11_lists_groups_and_flags_real_windows(display, start_app):
    thunderbird = start_app("thunderbird", "--windows", "2", "--helpers", "2")
    keepassxc = start_app("keepassxc")
    other = start_app("fakeclock")
    scanner = scanner_for(display)

    def listed():
        return {a.key: a for a in scanner.scan().apps}

    wait_for(lambda: {"thunderbird", "keepassxc", "x-fakeclock"} <= set(listed()))
    snapshot = scanner.scan()
    apps = snapshot.by_key()
    assert snapshot.windows_listed
    assert [a.key for a in snapshot.apps].index("x-fakeclock") > [a.key for a in snapshot.apps].index("keepassxc")
    tb = apps["thunderbird"]
    helpers = {c.pid for c in psutil.Process(thunderbird.pid).children()}
    assert (tb.name, tb.category, tb.flagged, tb.main_pid) == ("Thunderbird", "email", True, thunderbird.pid)
    assert len(tb.windows) == 2 and set(tb.pids) == {thunderbird.pid} | helpers and len(helpers) == 2
    assert (apps["keepassxc"].name, apps["keepassxc"].category, apps["keepassxc"].main_pid) == (
        "KeePassXC", "password-manager", keepassxc.pid)
    assert not apps["x-fakeclock"].flagged and apps["x-fakeclock"].main_pid == other.pid
    assert tb.icon is not None and (tb.icon.width, tb.icon.height) == (32, 32)
    # Our own process never shows up, whatever it is called.
    assert os.getpid() not in {pid for a in snapshot.apps for pid in a.pids}


def make_page(qtbot, display, confirm_force, clock):
    ctx = LauncherContext(brand=load_brand(), terms=load_terms(), client=ConsentClient("http://127.0.0.1:9"),
                          pool=QThreadPool(), open_apps_scanner=lambda: scanner_for(display), clock=clock)
    page = OpenAppsPage(ctx, confirm_force=confirm_force, patience=5.0, refresh_ms=400)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.initializePage()
    page.show()
    qtbot.waitExposed(page)
    return page


def test_the_page_lists_flagged_apps_first_and_closes_them_politely_or_by_confirmed_force(qtbot, display, start_app):
    thunderbird = start_app("thunderbird", "--helpers", "1")
    keepassxc = start_app("keepassxc")
    office = start_app("soffice.bin", "--ignore-close")
    start_app("fakeclock")
    answers: list[bool] = []
    asked: list[str] = []

    def confirm_force(_parent, name):
        asked.append(name)
        return answers.pop(0)

    clock = ManualClock()
    page = make_page(qtbot, display, confirm_force, clock)
    qtbot.waitUntil(lambda: {"thunderbird", "keepassxc", "libreoffice", "x-fakeclock"} <= set(page.row_keys()), timeout=WAIT_MS)
    assert page.isComplete()  # the customer may go on with all of them open
    assert page.row_keys()[:3] == ["thunderbird", "keepassxc", "libreoffice"]
    assert page.row_keys().index("x-fakeclock") > 2
    assert page.flagged_header.isVisible() and page.other_header.isVisible()
    assert "Email" in page.row("thunderbird").why_label.text()
    assert page.row("thunderbird").close_button.accessibleName() == "Close Thunderbird"
    assert set(page.journey.open_apps.left_open) == {
        AppSummary("Thunderbird", "email"), AppSummary("KeePassXC", "password-manager"), AppSummary("LibreOffice", "documents")}

    for key, proc in (("thunderbird", thunderbird), ("keepassxc", keepassxc)):
        row = page.row(key)
        assert not row.force_button.isVisible()
        qtbot.mouseClick(row.close_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda key=key: key not in page.row_keys(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda proc=proc: proc.poll() is not None, timeout=WAIT_MS)
        assert proc.returncode == 0  # it quit by itself: asked, not killed

    office_row = page.row("libreoffice")
    qtbot.mouseClick(office_row.close_button, Qt.MouseButton.LeftButton)
    assert "Asking" in office_row.status_label.text() and not office_row.force_button.isVisible()
    clock.advance(5.0)  # its patience is up without waiting for it
    qtbot.waitUntil(office_row.force_button.isVisible, timeout=WAIT_MS)
    assert "save" in office_row.status_label.text() and office.poll() is None
    assert asked == []  # nothing was forced without asking

    answers.append(False)
    qtbot.mouseClick(office_row.force_button, Qt.MouseButton.LeftButton)
    assert asked == ["LibreOffice"] and office.poll() is None and "libreoffice" in page.row_keys()

    answers.append(True)
    qtbot.mouseClick(office_row.force_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office.poll() is not None, timeout=WAIT_MS)
    assert office.returncode == -9
    qtbot.waitUntil(lambda: "libreoffice" not in page.row_keys(), timeout=WAIT_MS)
    summary = page.journey.open_apps
    assert set(summary.closed) == {
        AppSummary("Thunderbird", "email"), AppSummary("KeePassXC", "password-manager"), AppSummary("LibreOffice", "documents")}
    assert summary.left_open == () and summary.windows_listed
