"""The consent server with the providers' stand-ins behind it: sessions opened through Zoho
Assist's API, links checked with the launcher's allow-list when the session is made, switching to
TeamViewer (an amendment after consent), the launcher's connection question, the report job, and
the same through the command line."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.core.utc_time import parse_iso_utc, utc_now
from server.domain.provider_sessions import ProviderClients
from server.domain.session_reports import FIRST_CHECK_AFTER, MAX_ATTEMPTS, check_reports
from server.domain.sessions import cancel_session
from server.embedded import EmbeddedServer
from server.providers.http import RetryPolicy
from server.providers.settings import ProviderSettings
from testbed.consent_records import make_record
from tests.database_fixtures import location_args

ROOT = Path(__file__).resolve().parents[1]


async def _no_wait(seconds: float) -> None:
    pass


@pytest.fixture
def server(database, providers_environ):
    """The real server on each engine (SQLite, PostgreSQL), its providers the stand-ins."""
    with EmbeddedServer(database, provider_environ=providers_environ) as running:
        yield running


def technician(server) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=30)


def consent(server, code: str) -> dict:
    record = make_record(code)
    answer = httpx.post(f"{server.base_url}/api/v1/sessions/{code}/consent", json=record, timeout=30)
    assert answer.status_code == 201, answer.text
    return {"record": record, "answer": answer.json(), "text": answer.text}


def test_a_session_opened_through_zoho_keeps_both_links_and_gives_the_customer_only_theirs(server, zoho):
    with technician(server) as api:
        created = api.post("/api/v1/sessions", json={"technician": "Sam Carter", "ticket": "PTX-1042"})
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    (zoho_session,) = zoho.sessions.values()
    stored = server.store.session(code)
    assert (stored.provider, stored.provider_session_id) == ("zoho-assist", zoho_session["session_id"])
    assert stored.join_url == zoho_session["customer_url"]
    assert stored.technician_url == zoho_session["technician_url"]
    # The technician's link is in no answer a customer can get.
    look_up = httpx.get(f"{server.base_url}/api/v1/sessions/{code}", timeout=30).text
    given = consent(server, code)
    assert given["answer"]["join_url"] == zoho_session["customer_url"]
    for text in (created.text, look_up, given["text"]):
        assert "assist-start" not in text and zoho_session["technician_url"] not in text


def test_the_customers_email_reaches_zoho_and_the_link(server, zoho):
    with technician(server) as api:
        created = api.post("/api/v1/sessions", json={"technician": "Sam", "customer_email": "john@zylker.com"})
    assert created.status_code == 201, created.text
    assert server.store.session(created.json()["code"]).join_url.endswith("&email=john%40zylker.com")


def test_a_scheduled_session_stores_zohos_schedule_link(server, zoho):
    start = (utc_now() + timedelta(days=1)).replace(microsecond=0)
    body = {
        "technician": "Sam",
        "customer_email": "john@zylker.com",
        "schedule": {"start": start.isoformat(), "minutes": 30, "time_zone": "Europe/Paris"},
    }
    with technician(server) as api:
        created = api.post("/api/v1/sessions", json=body)
    assert created.status_code == 201, created.text
    stored = server.store.session(created.json()["code"])
    (schedule_id,) = zoho.schedules
    assert "/assist-schedule?" in stored.join_url and f"schedule_id={schedule_id}" in stored.join_url
    assert stored.provider_session_id == schedule_id
    # Open until the booked end and an hour more.
    assert parse_iso_utc(stored.expires_at) >= start + timedelta(minutes=90)


@pytest.mark.parametrize(
    "link, reason",
    [
        ("https://assist.zoho.com/assist-start?key=880567893&viewer=html", "not a customer join page"),
        ("https://assist.zoho.com/join?role=V&key=880567893", "“role” is not in the expected form"),
        ("https://get.teamviewer.com/s06301144-Zx7Yq2Wb", "not a customer join page"),
        ("https://assist.zoho.com/join?key=880567893", "lacks the setting “role”"),
        ("https://assist.zoho.com.evil.io/join?role=A&key=1", "is not a Zoho Assist or TeamViewer address"),
    ],
)
def test_a_pasted_link_the_launcher_would_refuse_is_refused_when_the_session_is_made(server, link, reason):
    with technician(server) as api:
        refused = api.post("/api/v1/sessions", json={"technician": "Sam", "join_url": link})
    assert refused.status_code == 422
    assert refused.json()["error"] == "link_refused"
    assert reason in refused.json()["message"] and "https://assist.zoho.com/join?role=A&key=" in refused.json()["message"]
    with pytest.raises(ValueError, match="would refuse"):
        server.create_session(join_url=link)


def test_a_pasted_link_is_stored_as_the_launcher_will_open_it(server):
    with technician(server) as api:
        created = api.post(
            "/api/v1/sessions",
            json={"technician": "Sam", "join_url": "https://assist.zoho.com/join?key=880567893&role=A", "provider": "zoho-assist"},
        )
        wrong = api.post(
            "/api/v1/sessions", json={"technician": "Sam", "join_url": "https://get.teamviewer.com/s06301144"}
        )
    stored = server.store.session(created.json()["code"])
    assert (stored.join_url, stored.provider_session_id) == ("https://assist.zoho.com/join?role=A&key=880567893", "880567893")
    assert wrong.status_code == 422 and "is a TeamViewer link, but provider says Zoho Assist" in wrong.json()["message"]


def test_when_zoho_fails_the_technician_is_told_in_words_and_nothing_is_stored(server, zoho):
    zoho.fail("/api/v2/session", 503, times=8)
    with technician(server) as api:
        failed = api.post("/api/v1/sessions", json={"technician": "Sam"})
    assert failed.status_code == 502
    assert failed.json()["error"] == "provider_failed" and failed.json()["retryable"] is True
    assert "switch the session to the other provider" in failed.json()["message"]
    with server.store.reading() as tx:
        assert tx.sessions_awaiting_report("9999", 10) == []


def test_a_provider_without_credentials_is_named(engine_server):
    with technician(engine_server) as api:
        refused = api.post("/api/v1/sessions", json={"technician": "Sam", "provider": "teamviewer"})
    assert refused.status_code == 409 and refused.json()["error"] == "provider_not_configured"
    assert "PHONETEX_TEAMVIEWER_TOKEN" in refused.json()["message"]


def test_switching_after_consent_is_an_amendment_the_launcher_learns_with_its_receipt(server, zoho, teamviewer):
    with technician(server) as api:
        code = api.post("/api/v1/sessions", json={"technician": "Sam Carter"}).json()["code"]
        given = consent(server, code)
        switched = api.post(f"/api/v1/sessions/{code}/provider", json={"provider": "teamviewer", "technician": "Alex Kim"})
        again = api.post(f"/api/v1/sessions/{code}/provider", json={"provider": "teamviewer"})
        state = api.get(f"/api/v1/sessions/{code}/provider").json()
    assert switched.status_code == 200, switched.text
    (tv_session,) = teamviewer.sessions.values()
    body = switched.json()
    assert (body["provider"], body["switched"], body["join_url"]) == ("teamviewer", True, tv_session["end_customer_link"])
    assert body["technician_url"] == tv_session["supporter_link"]  # the technician's, in a technician's answer
    assert body["amendments"] == [
        {"kind": "provider_changed", "at": body["amendments"][0]["at"], "technician": "Alex Kim",
         "from_provider": "zoho-assist", "to_provider": "teamviewer"}
    ]
    # Asking again changes nothing and opens no second TeamViewer session.
    assert again.json()["switched"] is False and len(teamviewer.sessions) == 1
    assert state["switches"][0]["after_consent"] is True and state["provider_session_id"] == tv_session["code"]

    receipt_id = given["record"]["receipt_id"]
    asked = httpx.post(f"{server.base_url}/api/v1/sessions/{code}/connection", json={"receipt_id": receipt_id}, timeout=30)
    assert asked.status_code == 200
    assert asked.json() == {
        "code": code,
        "provider": "teamviewer",
        "join_url": tv_session["end_customer_link"],
        "amendments": body["amendments"],
    }
    assert tv_session["supporter_link"] not in asked.text
    stranger = httpx.post(
        f"{server.base_url}/api/v1/sessions/{code}/connection",
        json={"receipt_id": "00000000-0000-4000-8000-000000000000"},
        timeout=30,
    )
    assert stranger.status_code == 404 and stranger.json()["error"] == "no_consent"


def test_a_switch_before_consent_is_no_amendment_and_the_consent_carries_the_new_link(server, teamviewer):
    with technician(server) as api:
        code = api.post("/api/v1/sessions", json={"technician": "Sam"}).json()["code"]
        assert api.post(f"/api/v1/sessions/{code}/provider", json={"provider": "teamviewer"}).json()["amendments"] == []
    given = consent(server, code)
    (tv_session,) = teamviewer.sessions.values()
    assert (given["answer"]["provider"], given["answer"]["join_url"]) == ("teamviewer", tv_session["end_customer_link"])


def test_switching_a_cancelled_session_is_refused(server):
    code = server.create_session(join_url="https://assist.zoho.com/join?role=A&key=1")["code"]
    assert cancel_session(server.store, code)
    with technician(server) as api:
        refused = api.post(f"/api/v1/sessions/{code}/provider", json={"provider": "teamviewer"})
    assert refused.status_code == 409 and refused.json()["error"] == "not_switchable"


def _clients(zoho, teamviewer) -> ProviderClients:
    settings = ProviderSettings.from_environ({**zoho.environ(), **teamviewer.environ()}, development=True)
    return ProviderClients(settings, retry=RetryPolicy(sleep=_no_wait))


def _round(server, zoho, teamviewer, now):
    async def go():
        clients = _clients(zoho, teamviewer)
        try:
            return await check_reports(server.store, clients, now=now)
        finally:
            await clients.aclose()

    return asyncio.run(go())


def _report(server, code):
    session = server.store.session(code)
    with server.store.reading() as tx:
        return tx.session_report(code, session.provider_session_id)


def test_the_report_job_stores_when_the_session_ran_beside_the_consent(server, zoho, teamviewer):
    with technician(server) as api:
        code = api.post("/api/v1/sessions", json={"technician": "Sam"}).json()["code"]
    consented_at = parse_iso_utc(consent(server, code)["answer"]["receipt"]["received_at"])
    session_id = server.store.session(code).provider_session_id
    # Too early: nothing asked of Zoho yet, a check is booked.
    (first,) = _round(server, zoho, teamviewer, consented_at + timedelta(minutes=1))
    assert first.state == "pending" and parse_iso_utc(first.next_check_at) == consented_at + FIRST_CHECK_AFTER
    assert zoho.calls("/api/v2/reports") == []
    # The session ran, and Zoho's report (its second page) says so.
    for n in range(55):
        zoho.session_held(str(200000000 + n), consented_at, consented_at + timedelta(minutes=1))
    zoho.session_held(session_id, consented_at + timedelta(minutes=2), consented_at + timedelta(minutes=27))
    (found,) = _round(server, zoho, teamviewer, consented_at + timedelta(minutes=40))
    assert (found.state, found.duration_seconds, found.flag) == ("found", 25 * 60, None)
    assert parse_iso_utc(found.started_at) == consented_at + timedelta(minutes=2)
    assert _report(server, code) == found
    # Settled: later rounds leave it alone.
    assert _round(server, zoho, teamviewer, consented_at + timedelta(hours=5)) == []
    with technician(server) as api:
        assert api.get(f"/api/v1/sessions/{code}/provider").json()["report"]["duration_seconds"] == 1500


def test_a_session_that_started_before_the_consent_is_flagged(server, zoho, teamviewer):
    with technician(server) as api:
        code = api.post("/api/v1/sessions", json={"technician": "Sam"}).json()["code"]
    session_id = server.store.session(code).provider_session_id
    consented_at = parse_iso_utc(consent(server, code)["answer"]["receipt"]["received_at"])
    zoho.session_held(session_id, consented_at - timedelta(seconds=30), consented_at + timedelta(minutes=10))
    _round(server, zoho, teamviewer, consented_at + timedelta(minutes=1))
    (found,) = _round(server, zoho, teamviewer, consented_at + timedelta(minutes=30))
    assert (found.state, found.flag) == ("found", "started_before_consent")


def test_a_session_that_never_happened_is_flagged_once_it_is_over_and_failures_are_bounded(server, zoho, teamviewer):
    with technician(server) as api:
        quiet = api.post("/api/v1/sessions", json={"technician": "Sam"}).json()["code"]
        broken = api.post("/api/v1/sessions", json={"technician": "Sam", "provider": "teamviewer"}).json()["code"]
    consented_at = parse_iso_utc(consent(server, quiet)["answer"]["receipt"]["received_at"])
    last_consent_at = parse_iso_utc(consent(server, broken)["answer"]["receipt"]["received_at"])
    teamviewer.fail("/api/v1/reports/connections", 503, times=1000)
    _round(server, zoho, teamviewer, consented_at)
    # The rounds start once both sessions' first check is due, however long the second consent
    # took to be recorded (a loaded machine once took over a minute, and the failing session
    # then missed the first round and needed one more).
    now = last_consent_at + FIRST_CHECK_AFTER
    rounds = 0
    while rounds < 3 * MAX_ATTEMPTS:
        rounds += 1
        if not _round(server, zoho, teamviewer, now):
            break
        now += timedelta(hours=6)
    assert rounds <= MAX_ATTEMPTS + 1  # bounded: every session settles
    never = _report(server, quiet)
    assert (never.state, never.flag) == ("missing", "never_happened")
    failed = _report(server, broken)
    assert failed.state == "failed" and failed.attempts == MAX_ATTEMPTS
    assert "Could not read the connection reports with TeamViewer" in failed.detail


def run_cli(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHONETEX_")}
    return subprocess.run(
        [sys.executable, "-m", "server", *args], cwd=ROOT, env={**env, **environ}, capture_output=True, text=True, timeout=60
    )


def test_the_command_line_opens_a_zoho_session_and_switches_it_to_teamviewer(database, zoho, teamviewer, providers_environ):
    environ, where = providers_environ, location_args(database)
    created = run_cli(
        "create-session", *where, "--technician", "Sam Carter", "--provider", "zoho-assist",
        "--customer-email", "john@zylker.com", "--development", environ=environ,
    )
    assert created.returncode == 0, created.stderr
    summary = json.loads(created.stdout)
    (zoho_session,) = zoho.sessions.values()
    assert summary["join_url"] == zoho_session["customer_url"]
    assert summary["technician_url"] == zoho_session["technician_url"]

    switched = run_cli("switch-provider", summary["code"], "teamviewer", *where, "--development", environ=environ)
    assert switched.returncode == 0, switched.stderr
    (tv_session,) = teamviewer.sessions.values()
    assert json.loads(switched.stdout)["join_url"] == tv_session["end_customer_link"]

    # Without --development the stand-ins' plain http is refused, in one line.
    production = run_cli("create-session", *where, "--technician", "Sam", environ=environ)
    assert production.returncode == 2
    assert "allowed only for the loopback stand-ins" in production.stderr and "Traceback" not in production.stderr
