"""The TeamViewer client against the loopback stand-in: a service case with its two links, the
connection report over several pages, and refusals in words."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.core.brand import load_brand
from app.core.join_link import JoinLinkRefused, check_join_link
from server.providers.errors import ProviderAuthError, ProviderError, ProviderUnavailable
from server.providers.http import RetryPolicy
from server.providers.settings import ProviderSettings
from server.providers.teamviewer import TeamViewer
from tests.standins.teamviewer import StandInTeamViewer

BRAND = load_brand()


async def _no_wait(seconds: float) -> None:
    pass


def client_for(standin, **overrides) -> TeamViewer:
    settings = ProviderSettings.from_environ(standin.environ(**overrides), development=True).teamviewer
    return TeamViewer(settings, retry=RetryPolicy(sleep=_no_wait))


def run(client, coroutine):
    async def go():
        try:
            return await coroutine
        finally:
            await client.aclose()

    return asyncio.run(go())


@pytest.fixture
def teamviewer():
    with StandInTeamViewer(page_size=2) as standin:
        yield standin


def test_the_customer_link_passes_the_allow_list_and_the_supporter_link_never_does(teamviewer):
    client = client_for(teamviewer)
    session = run(
        client, client.create_session(description="PTX-1042", customer_name="Ann Example", customer_email="ann@example.com")
    )
    assert session.session_id.startswith("s") and session.session_id.count("-") == 2
    assert check_join_link(session.customer_url, BRAND).provider == "teamviewer"
    with pytest.raises(JoinLinkRefused):
        check_join_link(session.technician_url, BRAND)
    assert session.valid_until is not None and session.valid_until > datetime.now(UTC)
    (call,) = teamviewer.calls("/api/v1/sessions")
    assert call.body == {
        "groupname": "Phonetex support",
        "description": "PTX-1042",
        "end_customer": {"name": "Ann Example", "email": "ann@example.com"},
    }
    assert call.headers["authorization"] == f"Bearer {teamviewer.token}"


def test_a_wrong_token_or_group_says_what_to_fix(teamviewer):
    client = client_for(teamviewer, PHONETEX_TEAMVIEWER_TOKEN="revoked")
    with pytest.raises(ProviderAuthError, match="script token with the session management and connection reporting"):
        run(client, client.create_session(description="x"))
    client = client_for(teamviewer, PHONETEX_TEAMVIEWER_GROUP="Nobody else")
    with pytest.raises(ProviderError, match="does not know the group 'Nobody else'"):
        run(client, client.create_session(description="x"))


def test_server_errors_are_retried_then_reported(teamviewer):
    teamviewer.fail("/api/v1/sessions", 502, times=3)
    client = client_for(teamviewer)
    assert run(client, client.create_session(description="x")).customer_url
    teamviewer.fail("/api/v1/sessions", 503, times=4)
    client = client_for(teamviewer)
    with pytest.raises(ProviderUnavailable, match="Could not create a session with TeamViewer"):
        run(client, client.create_session(description="x"))


def test_the_connection_report_is_found_across_pages(teamviewer):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(5):
        teamviewer.session_held(f"s00-000-00{n}", start + timedelta(minutes=n), start + timedelta(minutes=n + 1))
    teamviewer.session_held("s06-301-144", start + timedelta(hours=1), start + timedelta(hours=1, minutes=25))
    client = client_for(teamviewer)

    async def reports():
        return (
            await client.session_report("s06-301-144", start, start + timedelta(days=1)),
            await client.session_report("s99-999-999", start, start + timedelta(days=1)),
        )

    found, missing = run(client, reports())
    assert (found.started_at, found.duration_seconds) == (start + timedelta(hours=1), 25 * 60)
    assert missing is None
    offsets = [c.query.get("offset_id") is not None for c in teamviewer.calls("/api/v1/reports/connections")]
    assert offsets == [False, True, True, False, True, True]
