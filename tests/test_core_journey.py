"""The page order and the consent record, tested with no Qt at all."""

from app.core.consent_client import ConsentAnswer, SessionInfo
from app.core.consent_record import ACKNOWLEDGEMENTS, AppSummary, BackupSummary, ConsentRecord, OpenAppsSummary
from app.core.journey import (
    Journey,
    Step,
    build_consent_record,
    forget_pending_if_changed,
    next_step,
    read_back_checklist,
)
from app.core.read_back import describe_backup
from app.core.terms import load_terms


def complete_journey() -> Journey:
    journey = Journey(
        session=SessionInfo("482913557", "Phonetex", "Sam", "T-1", "2026-11-26T06:00:00Z", "open"),
        terms=load_terms(),
        open_apps=OpenAppsSummary(left_open=(AppSummary("KeePassXC", "password-manager"),)),
        backup=BackupSummary("none", "none", risk_acknowledged=True),
        name="Ann Example",
    )
    journey.acknowledgements = dict.fromkeys(ACKNOWLEDGEMENTS, True)
    return journey


def test_pages_follow_the_journey_in_order():
    journey = Journey()
    order = [Step.SESSION]
    while (following := next_step(order[-1], journey)) is not None:
        order.append(following)
    assert order == list(Step)


def test_after_consent_only_connect_remains():
    journey = complete_journey()
    journey.answer = ConsentAnswer("K7P-4QX", "https://assist.zoho.com/join?key=1", "zoho-assist")
    assert next_step(Step.BACKUP, journey) == Step.CONNECT
    assert next_step(Step.CONNECT, journey) is None


def test_retry_sends_the_same_record():
    journey = complete_journey()
    first = build_consent_record(journey)
    assert build_consent_record(journey) is first
    assert ConsentRecord.from_dict(first.to_dict()) == first
    assert first.terms.sha256 == load_terms().sha256


def test_a_changed_answer_makes_a_new_record_before_sending():
    journey = complete_journey()
    first = build_consent_record(journey)
    journey.name = "Ann B. Example"
    forget_pending_if_changed(journey)
    assert build_consent_record(journey).receipt_id != first.receipt_id


def test_another_session_code_makes_a_new_record_for_that_session():
    """A send failed, the customer went back and typed another code: the record follows the code."""
    journey = complete_journey()
    first = build_consent_record(journey)
    journey.session = SessionInfo("386168268", "Phonetex", "Bob", None, "2026-11-26T06:00:00Z", "open")
    forget_pending_if_changed(journey)
    assert build_consent_record(journey).session_code == "386168268" != first.session_code


def test_checklist_names_what_was_left_open_and_the_backup_risk():
    lines = [str(m) for m in read_back_checklist(complete_journey())]
    assert lines[0].startswith("You read and accepted")
    assert any("KeePassXC" in line for line in lines)
    assert any("no verified recent backup" in line for line in lines)


def test_the_checklist_says_whether_a_recent_backup_was_checked_file_by_file():
    checked = BackupSummary("recent", "folder", age_seconds=3600, coverage=1.0)
    reported = BackupSummary("recent", "file-history", age_seconds=3600, coverage=None, risk_acknowledged=True)
    assert "checked against your files" in str(describe_backup(checked))
    assert "not checked file by file" in str(describe_backup(reported))
    assert "no verified recent backup" in str(describe_backup(None))
