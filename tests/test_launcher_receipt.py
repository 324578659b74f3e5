"""After permission is recorded, the customer's own receipt is saved in their state folder, and only then."""

import stat
from pathlib import Path

import httpx
from PySide6.QtCore import Qt, QUrl

from app.ui.text import ZERO_WIDTH_SPACE
from app.ui.wizard import PageId
from tests.wizard_driver import Customer, make_wizard


def receipts_in(state_home: Path) -> list[Path]:
    folder = state_home / "Phonetex Support" / "receipts"
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


def test_the_customer_gets_a_readable_receipt_of_what_they_agreed_to(qtbot, consent_server, tmp_path, monkeypatch):
    tmp_path = tmp_path / "state"  # the server's database lives in tmp_path itself
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    session = consent_server.create_session(technician="Sam Carter")
    wizard, opened = make_wizard(
        qtbot, consent_server.base_url, demo_origin=consent_server.base_url, initial_code=session["code"]
    )
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    assert receipts_in(tmp_path) == []

    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    qtbot.waitUntil(lambda: len(receipts_in(tmp_path)) == 1, timeout=10_000)

    [receipt] = receipts_in(tmp_path)
    text = receipt.read_text(encoding="utf-8")
    reference = wizard.currentPage().reference_label.text()
    assert f"Reference code: {reference}" in text
    assert "Your name: Ann Example" in text
    assert "No verified recent backup: the risk of losing data was accepted" in text
    # Written from the server's answer: the time the server recorded it is the server's own.
    stored = httpx.get(
        f"{consent_server.base_url}/api/v1/sessions/{session['code']}/consent",
        headers={"Authorization": f"Bearer {consent_server.token}"},
    ).json()
    received = stored["receipt"]["received_at"].replace("T", " ").rstrip("Z")
    assert f"Recorded by Phonetex on: {received} (UTC)" in text
    assert stored["reference"] == reference
    assert stat.S_IMODE(receipt.stat().st_mode) == 0o600
    # The Connect page says where it was saved and opens it on request.
    page = wizard.currentPage()
    qtbot.waitUntil(page.open_receipt_button.isVisible, timeout=10_000)
    # The whole file name, free to wrap on a narrow screen (invisible marks after its separators).
    assert str(receipt) in page.receipt_label.text().replace(ZERO_WIDTH_SPACE, "")
    qtbot.mouseClick(page.open_receipt_button, Qt.MouseButton.LeftButton)
    assert opened.urls[-1] == QUrl.fromLocalFile(str(receipt)).toString(QUrl.ComponentFormattingOption.FullyEncoded)
    # Nothing but the receipt: no log lines were worth writing on a journey that went well.
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        receipt.relative_to(tmp_path).as_posix()
    ]

