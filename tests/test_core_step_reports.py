"""The launcher's step reports: the schema both sides check, what each arrival reports, and a
reporter that never holds the customer up."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from app.core.consent_client import ConsentClient, SessionInfo
from app.core.consent_record import AppSummary, BackupSummary, ConsentRecord, OpenAppsSummary
from app.core.journey import Journey, Step, read_back_checklist
from app.core.read_back import checklist_for_record
from app.core.step_event import StepEvent, StepEventError, new_step_event
from app.core.step_reporter import StepReporter
from app.core.step_reports import reports_on_arrival
from testbed.consent_records import make_record

CODE = "482913557"


def journey_with(left_open=(), backup=None) -> Journey:
    journey = Journey()
    journey.session = SessionInfo(CODE, "Phonetex", "Sam Carter", None, "2030-01-01T00:00:00Z", "open", ("a", "b", "c"))
    journey.open_apps = OpenAppsSummary(left_open=tuple(left_open))
    journey.backup = backup
    return journey


def test_each_arrival_reports_its_step_and_only_what_the_record_allows():
    journey = journey_with(
        left_open=[AppSummary("Thunderbird", "email"), AppSummary("Firefox", "browser"), AppSummary("Calculator", "other")],
        backup=BackupSummary(verdict="old", kind="folder", age_seconds=86400 * 30, coverage=0.5),
    )
    assert reports_on_arrival(Step.TERMS, journey) == []  # the Session page reports the start itself
    assert [e.step for e in reports_on_arrival(Step.OPEN_APPS, journey)] == ["terms_accepted"]
    (apps,) = reports_on_arrival(Step.BACKUP, journey)
    # Flagged applications only, by friendly name and category, as in the consent record.
    assert apps.details == {
        "left_open": [{"name": "Firefox", "category": "browser"}, {"name": "Thunderbird", "category": "email"}]
    }
    (backup,) = reports_on_arrival(Step.CONSENT, journey)
    assert backup.details == {"verdict": "old", "kind": "folder"}  # no age, no coverage, no path
    assert reports_on_arrival(Step.CONNECT, journey) == []


@pytest.mark.parametrize(
    "change",
    [
        {"step": "window_title"},
        {"details": {"left_open": [{"name": "Firefox", "category": "browser", "title": "Bank – Firefox"}]}},
        {"details": {"left_open": [{"name": "Firefox", "category": "browser"}], "path": "/home/ann"}},
        {"details": {"left_open": [{"name": "bash", "category": "other"}]}},
        {"event_id": "not-a-uuid"},
        {"extra": 1},
    ],
)
def test_the_schema_refuses_anything_beyond_it(change):
    data = new_step_event("open_apps_checked", left_open=[]).to_dict() | change
    with pytest.raises(StepEventError):
        StepEvent.from_dict(data)


def test_the_read_back_checklist_is_the_same_from_the_journey_and_from_the_stored_record():
    record = ConsentRecord.from_dict(make_record(CODE))
    journey = journey_with(left_open=record.open_apps.left_open, backup=record.backup)
    assert [str(m) for m in read_back_checklist(journey)] == [str(m) for m in checklist_for_record(record)]


def test_a_report_never_blocks_and_a_dead_server_is_given_up_on():
    started = threading.Event()
    release = threading.Event()
    calls = []

    def hanging(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        started.set()
        release.wait(5)
        raise httpx.ConnectError("no route")

    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(hanging))
    reporter = StepReporter(client.report_step, attempts=2, pause=0.01)
    before = time.monotonic()
    for step in ("launcher_started", "terms_accepted"):
        reporter.report(CODE, new_step_event(step))
    assert time.monotonic() - before < 0.1  # queued, not sent, on the caller's thread
    assert started.wait(5)
    release.set()
    reporter.close(timeout=5)
    assert len(calls) == 4  # two events, two tries each, then dropped
    assert reporter.sent == []


def test_a_refusal_is_not_retried_and_is_handed_to_the_launcher():
    calls = []

    def cancelled(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(410, json={"error": "cancelled", "message": "This support session was cancelled."})

    refused = []
    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(cancelled))
    reporter = StepReporter(client.report_step, on_refused=lambda code, error: refused.append((code, error)))
    reporter.report(CODE, new_step_event("terms_accepted"))
    reporter.close(timeout=5)
    assert len(calls) == 1
    assert refused == [(CODE, "cancelled")]


def test_checking_the_same_code_again_reports_the_start_once_per_session():
    sent = []
    reporter = StepReporter(lambda code, event: sent.append((code, event.step)))
    for _check in range(3):
        reporter.report_once(CODE, new_step_event("launcher_started"))
    reporter.report_once("111222333", new_step_event("launcher_started"))  # a new code is a new session
    reporter.close(timeout=5)
    assert sent == [(CODE, "launcher_started"), ("111222333", "launcher_started")]
