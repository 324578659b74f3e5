"""The launcher's only files on the customer's computer: the log and the consent receipt."""

import logging
import stat
import sys
from dataclasses import replace

import pytest

from app.core.brand import load_brand
from app.core.consent_record import ACKNOWLEDGEMENTS, ConsentRecord, Receipt
from app.core.user_files import UserFiles, attach_file_log, receipt_text, user_files, write_receipt
from testbed.consent_records import make_record


def a_record(**overrides) -> ConsentRecord:
    return ConsentRecord.from_dict(make_record("482913557", **overrides))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are the Linux layout")
def test_log_and_receipts_live_in_the_users_state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    files = user_files(load_brand())
    record = a_record()
    assert files.log_path == tmp_path / "state" / "Phonetex Support" / "log" / "launcher.log"
    assert files.receipt_path(record).parent == tmp_path / "state" / "Phonetex Support" / "receipts"
    # Asking where the files go creates nothing.
    assert not (tmp_path / "state").exists()


def test_the_log_file_appears_only_when_something_is_logged_and_only_for_the_user(tmp_path):
    files = UserFiles(state_dir=tmp_path / "state", log_dir=tmp_path / "state" / "log")
    logger = logging.getLogger("test.user_files.private")
    logger.propagate = False
    handler = attach_file_log(files, logger=logger)
    try:
        assert not files.log_dir.exists()
        logger.warning("the backup check took long")
        handler.flush()
        assert "the backup check took long" in files.log_path.read_text(encoding="utf-8")
        assert stat.S_IMODE(files.log_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(files.log_dir.stat().st_mode) == 0o700
    finally:
        logger.removeHandler(handler)
        handler.close()


RECEIVED_AT = "2026-12-01T08:15:42Z"


def test_the_receipt_says_what_the_customer_agreed_to():
    record = a_record(
        backup={"verdict": "none", "kind": "none", "age_seconds": None, "coverage": None, "risk_acknowledged": True}
    )
    text = receipt_text(Receipt(record, RECEIVED_AT), "K7P-4QX", load_brand())
    assert "Reference code: K7P-4QX" in text
    assert "Recorded by Phonetex on: 2026-12-01 08:15:42 (UTC)" in text
    assert "Session code: 482 913 557" in text
    assert "Your name: Ann Example" in text
    assert f"version {record.terms.version}" in text and record.terms.sha256 in text
    for words in ACKNOWLEDGEMENTS.values():
        assert f"[x] {words}" in text
    assert "Programs left open: Firefox" in text
    assert "Programs you closed: Thunderbird" in text
    assert "No verified recent backup: the risk of losing data was accepted" in text
    assert "+44 20 7946 0000" in text
    assert record.receipt_id in text
    # How to withdraw later: the phone number and the reference, together.
    assert "later call Phonetex on +44 20 7946 0000 and give the reference code K7P-4QX." in text


def test_the_receipt_is_in_the_customers_language_but_keeps_their_answers():
    record = a_record()
    text = receipt_text(Receipt(record, RECEIVED_AT), "K7P-4QX", load_brand(), translate=lambda template: template.replace("Your name", "Ihr Name"))
    assert "Ihr Name: Ann Example" in text


def test_an_unticked_acknowledgement_is_not_shown_as_given():
    record = a_record()
    record = replace(record, acknowledgements={**record.acknowledgements, "screen_visible": False})
    assert ACKNOWLEDGEMENTS["screen_visible"] not in receipt_text(Receipt(record, RECEIVED_AT), "K7P-4QX", load_brand())


def test_the_receipt_is_written_whole_and_privately(tmp_path):
    files = UserFiles(state_dir=tmp_path / "state", log_dir=tmp_path / "state" / "log")
    path = files.receipt_path(a_record())
    write_receipt(path, "first\n")
    write_receipt(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_failed_receipt_write_leaves_no_partial_file(tmp_path):
    blocked = tmp_path / "receipts"
    blocked.mkdir()
    target = blocked / "consent-receipt.txt"
    target.mkdir()  # a folder where the file should go: os.replace must fail
    with pytest.raises(OSError):
        write_receipt(target, "text\n")
    assert [p.name for p in blocked.iterdir()] == ["consent-receipt.txt"]


def test_log_lines_are_written_by_a_thread_of_their_own(tmp_path, monkeypatch):
    """A warning logged on the GUI thread never waits on the disk."""
    import threading

    from app.core import user_files as module

    writers = []
    real_emit = module._PrivateLogHandler.emit

    def emit(self, record):
        writers.append(threading.current_thread().name)
        real_emit(self, record)

    monkeypatch.setattr(module._PrivateLogHandler, "emit", emit)
    files = UserFiles(state_dir=tmp_path / "state", log_dir=tmp_path / "state" / "log")
    logger = logging.getLogger("test.user_files.thread")
    logger.propagate = False
    handler = attach_file_log(files, logger=logger)
    try:
        logger.warning("written elsewhere")
        handler.flush()
        assert writers and threading.current_thread().name not in writers
        assert "written elsewhere" in files.log_path.read_text(encoding="utf-8")
    finally:
        logger.removeHandler(handler)
        handler.close()
