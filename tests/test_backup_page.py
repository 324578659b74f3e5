"""The Backup page, driven through its controls with the outside world replaced by generated trees."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QAbstractButton, QComboBox, QListWidget, QProgressBar

from app.core.backup.system import CommandResult
from app.core.brand import load_brand
from app.core.consent_client import ConsentClient
from app.core.consent_record import BackupSummary
from app.core.terms import load_terms
from app.ui.context import LauncherContext
from app.ui.pages.backup import BackupPage
from testbed.backup_trees import fake_run, make_home, mirror, newest

WAIT_MS = 15_000


@pytest.fixture
def now():
    return time.time()


def make_page(qtbot, system, *, chosen=None):
    pool = QThreadPool()
    ctx = LauncherContext(
        brand=load_brand(),
        terms=load_terms(),
        client=ConsentClient("http://127.0.0.1:9"),
        choose_folder=lambda _parent, _title: chosen,
        pool=pool,
        backup_system=lambda: system,
    )
    page = BackupPage(ctx)
    qtbot.addWidget(page)
    page.resize(900, 760)
    page.initializePage()
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: not page._finder_runner.busy, timeout=WAIT_MS)
    return page


def wait_for_check(qtbot, page):
    qtbot.waitUntil(lambda: not page.checking, timeout=WAIT_MS)


def listed_files(page):
    return [page.files_list.item(i).text().strip() for i in range(page.files_list.count())]


def test_a_complete_recent_backup_lets_the_customer_go_on(qtbot, tmp_path, now):
    home = make_home(tmp_path / "home", now, files=40)
    backup = mirror(home, tmp_path / "usb")
    page = make_page(qtbot, home.system(separate_disk=backup), chosen=str(backup))
    assert not page.isComplete()
    with qtbot.waitSignal(page.completeChanged, timeout=WAIT_MS, check_params_cb=lambda: page.isComplete()):
        qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    assert page.isComplete()
    assert "recent and complete" in page.verdict_label.text()
    summary = page.journey.backup
    assert (summary.verdict, summary.kind, summary.coverage, summary.risk_acknowledged) == ("recent", "folder", 1.0, False)
    # The record holds figures only: no path or file name of the customer's.
    assert not any(str(tmp_path) in str(value) or "file0" in str(value) for value in asdict(summary).values())
    assert not page.files_list.isVisible()


def test_missing_recent_files_are_listed_and_going_on_needs_the_acknowledgement(qtbot, tmp_path, now):
    home = make_home(tmp_path / "home", now, files=40)
    lost = newest(home, 3)
    backup = mirror(home, tmp_path / "usb", skip=lost)
    page = make_page(qtbot, home.system(separate_disk=backup), chosen=str(backup))
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    assert "incomplete" in page.verdict_label.text()
    assert page.files_list.isVisible()
    shown = listed_files(page)
    assert shown[0] == "Not in the backup (3):" and set(shown[1:4]) == set(lost)
    assert not page.isComplete()
    assert page.journey.backup.verdict == "incomplete"
    qtbot.mouseClick(page.risk_box, Qt.MouseButton.LeftButton)
    assert page.isComplete()
    summary = page.journey.backup
    assert (summary.verdict, summary.risk_acknowledged) == ("incomplete", True)
    assert summary.coverage == pytest.approx(37 / 40, abs=0.001)


def test_what_the_computer_says_is_shown_and_recorded_without_coverage(qtbot, tmp_path, now):
    home = make_home(tmp_path / "home", now, files=3)
    run = fake_run({
        ("gsettings", "get", "org.gnome.DejaDup", "last-backup"): CommandResult(0, "'2020-01-01T00:00:00Z'\n", ""),
        ("gsettings", "get", "org.gnome.DejaDup", "backend"): CommandResult(0, "'remote'\n", ""),
        ("gsettings", "get", "org.gnome.DejaDup.Remote", "uri"): CommandResult(0, "'sftp://nas.local/backups'\n", ""),
    })
    page = make_page(qtbot, home.system(run=run))
    assert "Déjà Dup to sftp://nas.local/backups" in page.findings_label.text()
    summary = page.journey.backup
    assert (summary.verdict, summary.kind, summary.coverage) == ("old", "deja-dup", None)
    assert not page.isComplete()


def test_nothing_known_and_no_check_is_recorded_as_none(qtbot, tmp_path, now):
    page = make_page(qtbot, make_home(tmp_path / "home", now, files=1).system())
    assert "does not say" in page.findings_label.text()
    assert page.journey.backup == BackupSummary("none", "none")
    qtbot.mouseClick(page.risk_box, Qt.MouseButton.LeftButton)
    assert page.isComplete() and page.journey.backup.risk_acknowledged


def test_removable_drives_are_offered_first_and_checked(qtbot, tmp_path, now):
    home = make_home(tmp_path / "home", now, files=20)
    usb = mirror(home, tmp_path / "media" / "BACKUP")
    other = tmp_path / "mnt" / "data"
    other.mkdir(parents=True)
    table = [SimpleNamespace(device="/dev/sdb1", mountpoint=str(other), fstype="ext4", opts="rw"),
             SimpleNamespace(device="/dev/sdc1", mountpoint=str(usb), fstype="vfat", opts="rw,removable")]
    page = make_page(qtbot, home.system(separate_disk=usb, partitions=lambda: table))
    qtbot.waitUntil(lambda: page.drive_combo.count() == 2, timeout=WAIT_MS)
    assert page.drive_combo.currentData() == str(usb)
    assert "removable drive" in page.drive_combo.currentText()
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    assert page.isComplete()


def test_a_missing_folder_gets_a_clear_verdict(qtbot, tmp_path, now):
    home = make_home(tmp_path / "home", now, files=3)
    page = make_page(qtbot, home.system(), chosen=str(tmp_path / "unplugged"))
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    assert "could not be opened" in page.verdict_label.text()
    assert "Plug in your backup drive" in page.result_label.text()
    assert page.journey.backup.verdict == "none"


def big_home(tmp_path, now, files):
    home = make_home(tmp_path / "home", now, files=files, depth=4)
    return home, mirror(home, tmp_path / "usb")


def test_cancel_stops_the_check(qtbot, tmp_path, now):
    home, backup = big_home(tmp_path, now, 3000)
    page = make_page(qtbot, home.system(separate_disk=backup), chosen=str(backup))
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert page.cancel_button.isVisible()
    assert not page.check_button.isEnabled()  # one check at a time: Check backup waits for this one
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    assert "cancelled" in page.status_label.text()
    assert not page.verdict_label.isVisible()
    assert not page.isComplete()
    assert page.check_button.isEnabled() and page.choose_button.isEnabled()


def test_a_check_reads_the_disk_off_the_gui_thread_which_keeps_answering(qtbot, tmp_path, now, monkeypatch):
    """How long the GUI thread may stall is a budget, measured by ``make bench-backup``; here the
    rule behind it: every folder listing and file look-up of the check happens on a worker, and
    the GUI thread keeps running its timers while the check runs."""
    home, backup = big_home(tmp_path, now, 12_000)
    page = make_page(qtbot, home.system(separate_disk=backup), chosen=str(backup))
    reads_on_gui_thread: list[str] = []
    reads_elsewhere = 0
    real_scandir, real_stat = os.scandir, os.stat

    def noted(real):
        def call(path, *args, **kwargs):
            nonlocal reads_elsewhere
            if str(path).startswith(str(tmp_path)):
                if threading.current_thread() is threading.main_thread():
                    reads_on_gui_thread.append(str(path))
                else:
                    reads_elsewhere += 1
            return real(path, *args, **kwargs)
        return call

    ticks_while_checking = 0

    def tick():
        nonlocal ticks_while_checking
        ticks_while_checking += page.checking

    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(tick)
    monkeypatch.setattr(os, "scandir", noted(real_scandir))
    monkeypatch.setattr(os, "stat", noted(real_stat))
    ticker.start()
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    ticker.stop()
    monkeypatch.undo()
    assert page.journey.backup.verdict == "recent"
    assert reads_elsewhere > 1_000
    assert reads_on_gui_thread == [], f"the GUI thread read the disk: {reads_on_gui_thread[:5]}"
    assert ticks_while_checking >= 2, "the GUI thread ran no timer while the check ran"


def test_every_control_has_an_accessible_name_and_labels_have_mnemonics(qtbot, tmp_path, now):
    page = make_page(qtbot, make_home(tmp_path / "home", now, files=1).system())
    controls = page.findChildren(QAbstractButton) + page.findChildren(QComboBox) + page.findChildren(QListWidget) \
        + page.findChildren(QProgressBar)
    assert controls and all(control.accessibleName() for control in controls)
    for button in (page.check_button, page.choose_button, page.cancel_button, page.risk_box):
        assert "&" in button.text()
    assert page.files_label.buddy() is page.files_list


def test_in_the_wizard_the_check_runs_to_its_verdict_and_leaving_the_page_cancels_it(qtbot, tmp_path, now):
    from app.ui.wizard import PageId, SupportWizard

    home = make_home(tmp_path / "home", now, files=2000, depth=4)
    lost = newest(home, 2)
    backup = mirror(home, tmp_path / "usb", skip=lost)
    ctx = LauncherContext(
        brand=load_brand(), terms=load_terms(), client=ConsentClient("http://127.0.0.1:9"),
        choose_folder=lambda _parent, _title: str(backup), pool=QThreadPool(),
        backup_system=lambda: home.system(separate_disk=backup),
        ask_yes_no=lambda _parent, _title, _question: True,  # closing the window at the end: leave
    )
    wizard = SupportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.setStartId(PageId.BACKUP)
    wizard.show()
    qtbot.waitExposed(wizard)
    page = wizard.currentPage()
    # QWizard hides and re-shows its page while it lays itself out: that must not stop the check.
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, page)
    assert "incomplete" in page.verdict_label.text()
    assert set(lost) <= set(listed_files(page))

    page.check_selected()
    assert page.checking
    page.cleanupPage()  # what Back does
    wait_for_check(qtbot, page)
    assert "cancelled" in page.status_label.text()
