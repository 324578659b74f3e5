"""The consent journal on disk, without Qt: durable writes, one code each, gone after expiry."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from app.core.consent_client import ConsentAnswer
from app.core.consent_flow import look_up, send_kept
from app.core.consent_journal import ConsentJournal
from app.core.consent_record import ConsentRecord, Receipt
from app.core.utc_time import iso_utc
from testbed.consent_records import make_record

CODE, OTHER = "482913557", "386168268"
NOW = datetime.now(UTC)
LATER = iso_utc(NOW + timedelta(hours=1))


def record(code: str = CODE) -> ConsentRecord:
    return ConsentRecord.from_dict(make_record(code))


def test_kept_before_sending_found_again_for_the_same_code_only(tmp_path):
    journal = ConsentJournal(tmp_path)
    kept = record()
    path = journal.keep(kept, LATER)
    assert path == tmp_path / "journal" / f"consent-{CODE}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(json.loads(path.read_text())) == {"format", "expires_at", "record"}
    found = journal.find(CODE, NOW)
    assert found.record == kept and not found.acknowledged
    assert journal.find(OTHER, NOW) is None


def test_the_answer_is_stored_as_the_receipt_and_the_journal_entry_goes(tmp_path):
    journal = ConsentJournal(tmp_path)
    kept = record()
    journal.keep(kept, LATER)
    journal.acknowledge(kept, LATER, "K7P-4QX", "2026-12-01T09:00:01Z")
    assert not journal.journal_path(CODE).exists()
    found = journal.find(CODE, NOW)
    assert found.acknowledged and found.reference == "K7P-4QX" and found.record == kept


def test_after_the_session_expired_entries_are_ignored_and_deleted(tmp_path):
    journal = ConsentJournal(tmp_path)
    journal.keep(record(), LATER)
    journal.acknowledge(record(OTHER), LATER, "K7P-4QX", None)
    journal.keep(record(OTHER), LATER)
    assert journal.find(CODE, NOW + timedelta(hours=2)) is None
    assert not journal.journal_path(CODE).exists()
    journal.forget_expired(NOW + timedelta(hours=2))
    assert list(tmp_path.rglob("*.json")) == []


def test_an_entry_for_another_code_or_unreadable_is_never_used_and_removed(tmp_path):
    journal = ConsentJournal(tmp_path)
    journal.keep(record(OTHER), LATER)
    os.replace(journal.journal_path(OTHER), journal.journal_path(CODE))  # renamed by hand
    assert journal.find(CODE, NOW) is None
    assert not journal.journal_path(CODE).exists()
    journal.journal_path(CODE).write_text("{not json")
    assert journal.find(CODE, NOW) is None and not journal.journal_path(CODE).exists()


def test_a_write_that_fails_half_way_leaves_the_old_entry_and_no_temporary_file(tmp_path, monkeypatch):
    journal = ConsentJournal(tmp_path)
    first = record()
    journal.keep(first, LATER)

    def power_cut(*_args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        journal.keep(record(), LATER)
    assert journal.find(CODE, NOW).record == first
    assert [p.name for p in (tmp_path / "journal").iterdir()] == [f"consent-{CODE}.json"]


def test_the_file_and_its_folder_are_synced_before_the_record_is_sent(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    journal = ConsentJournal(tmp_path)

    class Client:
        def send_consent(self, sent, ticket=None):
            assert journal.find(CODE).record == sent, "sent before it was kept"
            assert len(synced) == 2, "the file and the folder are synced before the send"
            receipt = Receipt(sent, "2026-12-01T09:00:01Z")
            return ConsentAnswer("K7P-4QX", "https://assist.zoho.com/join?role=A&key=1", "zoho-assist", receipt)

    answer = send_kept(Client(), journal, record(), LATER)
    assert answer.reference == "K7P-4QX"
    assert journal.find(CODE).acknowledged and journal.find(CODE).received_at == "2026-12-01T09:00:01Z"


def test_a_failed_send_keeps_the_journal_entry_for_the_next_start(tmp_path):
    journal = ConsentJournal(tmp_path)

    class Unreachable:
        def send_consent(self, _record, ticket=None):
            raise OSError("no network")

    with pytest.raises(OSError):
        send_kept(Unreachable(), journal, record(), LATER)
    assert journal.find(CODE) is not None and not journal.find(CODE).acknowledged


def test_a_start_with_a_kept_code_sends_the_same_record_again(tmp_path):
    from app.core.consent_client import SessionInfo

    journal = ConsentJournal(tmp_path)
    kept = record()
    journal.keep(kept, LATER)
    sent = []

    class Client:
        def lookup_session(self, code):
            return SessionInfo(code, "Phonetex", "Sam", None, LATER, "consented", consent_ticket="t1")

        def send_consent(self, again, ticket=None):
            assert ticket == "t1", "the look-up's ticket goes with the record sent again"
            sent.append(again)
            return ConsentAnswer("K7P-4QX", "https://assist.zoho.com/join?role=A&key=1", "zoho-assist")

    looked = look_up(Client(), journal, CODE)
    assert sent == [kept] and looked.resumed.answer.reference == "K7P-4QX"
    assert not looked.given_elsewhere
    assert look_up(Client(), ConsentJournal(tmp_path / "elsewhere"), CODE).given_elsewhere
