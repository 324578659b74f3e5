"""The journey's table (gates and transitions) and the consent record, tested with no Qt at all."""

import re

import pytest

from app.core.consent_client import ConsentAnswer, SessionInfo
from app.core.consent_record import ACKNOWLEDGEMENTS, AppSummary, BackupSummary, ConsentRecord, OpenAppsSummary
from app.core.journey import (
    ANYWHERE,
    NAVMAP,
    TERMS_ACCEPTED,
    WIZARD_PAGES,
    Event,
    Journey,
    Step,
    build_consent_record,
    follow,
    forget_pending_if_changed,
    is_complete,
    missing,
    next_step,
    read_back_checklist,
    start_step,
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
    assert order == list(WIZARD_PAGES)


def ready_to_give_permission() -> Journey:
    journey = complete_journey()
    journey.terms_accepted = True
    journey.open_apps_listed = True
    return journey


ANSWER = ConsentAnswer("K7P-4QX", "https://assist.zoho.com/join?key=1", "zoho-assist")


def test_a_fresh_journey_is_held_at_every_gate_with_a_message_saying_what_to_do():
    journey = Journey()
    for step in (Step.SESSION, Step.TERMS, Step.OPEN_APPS, Step.BACKUP, Step.CONSENT):
        assert not is_complete(step, journey)
        assert follow(step, Event.NEXT, journey) is None
        assert str(missing(step, journey)).endswith(".")
    assert "session code" in str(missing(Step.SESSION, journey))
    assert "I have read and accept the terms" in str(missing(Step.TERMS, journey))
    assert "open applications" in str(missing(Step.OPEN_APPS, journey))
    assert "no recent backup" in str(missing(Step.BACKUP, journey))
    assert is_complete(Step.CONNECT, journey)


def test_each_gate_opens_on_what_its_page_gathers():
    journey = ready_to_give_permission()
    expected = {
        Step.SESSION: Step.TERMS,
        Step.TERMS: Step.OPEN_APPS,
        Step.OPEN_APPS: Step.BACKUP,
        Step.BACKUP: Step.CONSENT,
    }
    for step, following in expected.items():
        assert missing(step, journey) is None
        assert follow(step, Event.NEXT, journey) == following


@pytest.mark.parametrize("status", ["consented", "expired", "cancelled"])
def test_a_session_that_is_not_open_holds_the_first_gate(status):
    journey = ready_to_give_permission()
    journey.session = SessionInfo("482913557", "Phonetex", "Sam", None, "2026-11-26T06:00:00Z", status)
    assert not is_complete(Step.SESSION, journey)


def test_the_backup_gate_needs_a_checked_recent_backup_or_the_risk_acknowledged():
    journey = ready_to_give_permission()
    journey.backup = BackupSummary("recent", "file-history", age_seconds=60)  # only reported by the system
    assert "no recent backup" in str(missing(Step.BACKUP, journey))
    journey.backup = BackupSummary("incomplete", "folder", age_seconds=60, coverage=0.5)
    assert not is_complete(Step.BACKUP, journey)
    journey.backup = BackupSummary("recent", "folder", age_seconds=60, coverage=1.0)
    assert is_complete(Step.BACKUP, journey)
    journey.backup = BackupSummary("old", "folder", age_seconds=10**7, coverage=1.0, risk_acknowledged=True)
    assert is_complete(Step.BACKUP, journey)


def test_the_consent_gate_says_which_of_name_and_ticks_is_missing():
    journey = ready_to_give_permission()
    assert missing(Step.CONSENT, journey) is None
    journey.name = "  "
    assert str(missing(Step.CONSENT, journey)) == "Type your full name."
    journey.acknowledgements = {**dict.fromkeys(ACKNOWLEDGEMENTS, False), TERMS_ACCEPTED: True}
    assert "name and tick each line" in str(missing(Step.CONSENT, journey))
    journey.name = "Ann"
    journey.acknowledgements["this_session_only"] = True
    # The terms were accepted on their own page: only the Consent page's own lines are counted.
    assert str(missing(Step.CONSENT, journey)) == f"Tick each line ({len(ACKNOWLEDGEMENTS) - 2} left)."
    journey.acknowledgements[TERMS_ACCEPTED] = False
    assert "accept the terms" in str(missing(Step.CONSENT, journey))


def test_after_a_failed_send_only_retry_may_send_it_again():
    journey = ready_to_give_permission()
    journey.awaiting_retry = True
    assert str(missing(Step.CONSENT, journey)) == "Press Retry to send the same permission again."
    assert follow(Step.CONSENT, Event.NEXT, journey) is None


def test_give_permission_only_starts_the_send_and_the_answer_moves_on_to_connect():
    journey = ready_to_give_permission()
    assert next_step(Step.CONSENT, journey) == Step.CONNECT  # the wizard shows Give permission, not Finish
    assert follow(Step.CONSENT, Event.NEXT, journey) is None  # nothing recorded yet: stay
    journey.sending = True
    assert "being sent" in str(missing(Step.CONSENT, journey))
    assert follow(Step.CONSENT, Event.CONSENT_RECORDED, journey) == Step.CONNECT
    journey.sending = False
    journey.answer = ANSWER
    assert follow(Step.CONSENT, Event.NEXT, journey) == Step.CONNECT
    assert follow(Step.CONNECT, Event.CONSENT_RECORDED, journey) is None


def test_a_recorded_consent_leads_to_connect_from_wherever_the_customer_is():
    journey = ready_to_give_permission()
    journey.answer = ANSWER
    for step in (Step.SESSION, Step.TERMS, Step.OPEN_APPS, Step.BACKUP):
        assert follow(step, Event.CONSENT_RECORDED, journey) == Step.CONNECT
        assert follow(step, Event.NEXT, journey) == Step.CONNECT
    assert Event.CONSENT_RECORDED in ANYWHERE


def test_the_table_names_every_step_once_and_only_connect_is_last_and_only_consent_commits():
    assert set(NAVMAP) == set(Step)
    assert [step for step, rules in NAVMAP.items() if rules.last] == [Step.CONNECT]
    assert [step for step, rules in NAVMAP.items() if rules.committed is not None] == [Step.CONSENT]
    assert start_step(Journey()) == Step.SESSION


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
    assert lines[0] == "The remote support terms were read and accepted."
    assert any("KeePassXC" in line for line in lines)
    assert any("No verified recent backup" in line for line in lines)
    # Either side can read it aloud: nobody is "you" or "I".
    assert not any(re.search(r"\b(you|your|I)\b", line, re.I) for line in lines)


def test_the_checklist_says_whether_a_recent_backup_was_checked_file_by_file():
    checked = BackupSummary("recent", "folder", age_seconds=3600, coverage=1.0)
    reported = BackupSummary("recent", "file-history", age_seconds=3600, coverage=None, risk_acknowledged=True)
    assert "checked against the files" in str(describe_backup(checked))
    assert "not checked file by file" in str(describe_backup(reported))
    assert "No verified recent backup" in str(describe_backup(None))


def test_support_starting_turns_connect_into_the_bar_only_once_the_link_opened():
    journey = ready_to_give_permission()
    assert follow(Step.CONNECT, Event.SUPPORT_STARTED, journey) is None  # no consent recorded yet
    journey.answer = ConsentAnswer("K7P-4QX", "https://assist.zoho.com/join?role=A&key=123456789", "zoho-assist")
    assert follow(Step.CONNECT, Event.SUPPORT_STARTED, journey) is None  # the link did not open
    journey.link_opened = True
    assert follow(Step.CONNECT, Event.SUPPORT_STARTED, journey) is Step.SUPPORT
    # Earlier pages never jump to the bar, and the bar leads nowhere.
    assert follow(Step.CONSENT, Event.SUPPORT_STARTED, journey) is None
    assert all(follow(Step.SUPPORT, event, journey) is None for event in Event)


def test_an_expired_code_holds_every_step_and_leads_back_to_session_until_the_consent_is_recorded():
    journey = ready_to_give_permission()
    journey.session_expired = True
    for step in (Step.SESSION, Step.TERMS, Step.OPEN_APPS, Step.BACKUP, Step.CONSENT):
        assert "expired" in str(missing(step, journey))
        assert follow(step, Event.NEXT, journey) is None
    for step in (Step.TERMS, Step.OPEN_APPS, Step.BACKUP, Step.CONSENT):
        assert follow(step, Event.SESSION_EXPIRED, journey) == Step.SESSION
    assert "Enter a new code" in str(missing(Step.CONSENT, journey))
    assert follow(Step.CONNECT, Event.SESSION_EXPIRED, journey) is None
    journey.answer = ANSWER  # recorded before it expired: it stands
    assert follow(Step.CONSENT, Event.SESSION_EXPIRED, journey) is None
