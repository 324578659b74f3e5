"""End to end with the providers: a session the real server opens through (stand-in) Zoho Assist,
the real wizard's consent, the Zoho join link opened; then the technician switches to TeamViewer
while the Connect page is open, and the TeamViewer link opens with the customer's receipt amended;
then the report job stores when the session really ran."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.core.utc_time import parse_iso_utc
from app.ui.wizard import PageId
from server.domain.provider_sessions import ProviderClients
from server.domain.session_reports import check_reports
from server.embedded import EmbeddedServer
from server.providers.settings import ProviderSettings
from tests.standins.teamviewer import StandInTeamViewer
from tests.standins.zoho import StandInZoho
from tests.wizard_driver import Customer, make_wizard

pytestmark = pytest.mark.e2e

# The Connect page asks every few seconds (app.core.provider_follow.POLL_SECONDS).
FOLLOW_MS = 30_000


def receipts_in(state_home: Path) -> list[Path]:
    folder = state_home / "Phonetex Support" / "receipts"
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


def test_zoho_session_consent_switch_to_teamviewer_and_the_report(qtbot, tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    with StandInZoho() as zoho, StandInTeamViewer() as teamviewer:
        environ = {**zoho.environ(), **teamviewer.environ()}
        with EmbeddedServer(tmp_path / "consents.sqlite3", provider_environ=environ) as server:
            technician = httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=30
            )
            created = technician.post("/api/v1/sessions", json={"technician": "Sam Carter", "ticket": "PTX-1042"})
            assert created.status_code == 201, created.text
            code = created.json()["code"]
            (zoho_session,) = zoho.sessions.values()

            # The customer: the real wizard against the real server, not in demo mode.
            wizard, opened = make_wizard(qtbot, server.base_url, initial_code=code)
            customer = Customer(qtbot, wizard)
            customer.walk_to_consent()
            customer.give_permission()
            qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
            page = wizard.currentPage()
            qtbot.waitUntil(lambda: opened.urls == [zoho_session["customer_url"]], timeout=10_000)
            assert "Zoho Assist will open in your browser" in page.status_label.text()
            qtbot.waitUntil(lambda: len(receipts_in(state)) == 1, timeout=10_000)

            # The technician switches while the Connect page is open.
            switched = technician.post(
                f"/api/v1/sessions/{code}/provider", json={"provider": "teamviewer", "technician": "Alex Kim"}
            )
            assert switched.status_code == 200, switched.text
            (tv_session,) = teamviewer.sessions.values()
            qtbot.waitUntil(lambda: len(opened.urls) == 2, timeout=FOLLOW_MS)
            assert opened.urls[1] == tv_session["end_customer_link"]
            assert tv_session["supporter_link"] not in opened.urls
            status = page.status_label.text()
            assert status.startswith("Your technician has switched to TeamViewer.")
            assert "TeamViewer will open in your browser" in status
            # The customer's receipt now says what changed after they gave permission.
            [receipt] = receipts_in(state)
            qtbot.waitUntil(lambda: "switched this session" in receipt.read_text(encoding="utf-8"), timeout=10_000)
            text = receipt.read_text(encoding="utf-8")
            assert "Alex Kim switched this session from Zoho Assist to TeamViewer" in text
            assert "your permission covers it" in text

            # After the session: TeamViewer's connection report says it ran for 20 minutes.
            consented_at = parse_iso_utc(
                technician.get(f"/api/v1/sessions/{code}/consent").json()["receipt"]["received_at"]
            )
            teamviewer.session_held(
                tv_session["code"], consented_at + timedelta(minutes=1), consented_at + timedelta(minutes=21)
            )

            async def report_rounds():
                clients = ProviderClients(ProviderSettings.from_environ(environ, development=True))
                try:
                    await check_reports(server.store, clients, now=consented_at + timedelta(minutes=2))
                    return await check_reports(server.store, clients, now=consented_at + timedelta(minutes=40))
                finally:
                    await clients.aclose()

            (report,) = asyncio.run(report_rounds())
            assert (report.state, report.duration_seconds, report.flag) == ("found", 1200, None)
            state_answer = technician.get(f"/api/v1/sessions/{code}/provider").json()
            assert state_answer["report"]["duration_seconds"] == 1200
            assert state_answer["switches"][0]["technician"] == "Alex Kim"
            technician.close()
            wizard.close()
