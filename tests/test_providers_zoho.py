"""The Zoho Assist client against the loopback stand-in: sessions, schedules, reports, and the
ways Zoho really fails (expired and stale tokens, the token limit, 429, 5xx, refused credentials)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.core.brand import load_brand
from app.core.join_link import JoinLinkRefused, check_join_link
from server.providers.errors import ProviderAnswerError, ProviderAuthError, ProviderUnavailable
from server.providers.http import RetryPolicy
from server.providers.settings import ProviderSettings
from server.providers.zoho import ZohoAssist
from tests.standins.zoho import StandInZoho

BRAND = load_brand()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """The client's back-off waits, recorded instead of waited (the stand-in answers at once)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client_for(standin, *, clock=None, sleeps=None, **overrides) -> ZohoAssist:
    settings = ProviderSettings.from_environ(standin.environ(**overrides), development=True).zoho
    retry = RetryPolicy(base_delay=0.01, max_delay=0.02, sleep=sleeps or Sleeps())
    return ZohoAssist(settings, retry=retry, clock=clock or Clock())


def run(client: ZohoAssist, coroutine):
    async def go():
        try:
            return await coroutine
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_a_session_gives_a_customer_link_the_launcher_opens_and_a_technician_link_it_refuses(zoho):
    client = client_for(zoho)
    session = run(client, client.create_session())
    assert check_join_link(session.customer_url, BRAND).url == session.customer_url
    assert session.customer_url == f"https://assist.zoho.com/join?role=A&key={session.session_id}"
    with pytest.raises(JoinLinkRefused):
        check_join_link(session.technician_url, BRAND)
    assert "/assist-start?" in session.technician_url
    assert "technician_url=…" in repr(session) and session.technician_url not in repr(session)
    # The request was the documented one.
    (call,) = zoho.calls("/api/v2/session")
    assert call.method == "POST" and call.query == {"type": "rs"}
    assert call.headers["authorization"].startswith("Zoho-oauthtoken 1000.")


def test_with_the_customers_email_the_link_carries_it_once_encoded(zoho):
    client = client_for(zoho)
    session = run(client, client.create_session("john@zylker.com"))
    assert session.customer_url.endswith("&email=john%40zylker.com")
    assert check_join_link(session.customer_url, BRAND).url == session.customer_url
    assert zoho.calls("/api/v2/session")[0].query["customer_email"] == "john@zylker.com"


def test_one_access_token_serves_every_call_until_it_expires_then_one_new_one(zoho):
    clock = Clock()
    client = client_for(zoho, clock=clock)

    async def calls():
        await client.create_session()
        await client.create_session()
        assert zoho.tokens_issued == 1
        clock.now += 3600  # Zoho's hour is up: renewed before use, no 401 needed
        await client.create_session()

    run(client, calls())
    assert zoho.tokens_issued == 2
    assert all(c.query["grant_type"] == "refresh_token" for c in zoho.calls("/oauth/v2/token"))
    assert [r.path for r in zoho.requests].count("/api/v2/session") == 3


def test_a_stale_token_answered_401_is_replaced_once_and_the_call_goes_through(zoho):
    client = client_for(zoho)

    async def calls():
        await client.create_session()
        zoho.expire_tokens()  # Zoho no longer takes it although our clock says it is fresh
        return await asyncio.gather(*(client.create_session() for _ in range(5)))

    sessions = run(client, calls())
    assert len({s.session_id for s in sessions}) == 5
    # Five requests saw the 401; one new token served them all.
    assert zoho.tokens_issued == 2


def test_never_more_than_ten_tokens_in_ten_minutes():
    clock = Clock()
    with StandInZoho(clock=clock) as zoho:
        refused = _eleven_tokens(zoho, clock)
    assert "10 access tokens in 10 minutes" in str(refused) and "TeamViewer" in str(refused)
    # The eleventh was never asked of Zoho inside the window.
    assert zoho.tokens_issued == 11


def _eleven_tokens(zoho, clock):
    client = client_for(zoho, clock=clock)

    async def calls():
        for _ in range(10):
            await client.create_session()
            zoho.expire_tokens()
        with pytest.raises(ProviderUnavailable) as refused:
            await client.create_session()
        clock.now += 600
        await client.create_session()
        return refused.value

    return run(client, calls())


def test_429_is_waited_out_as_zoho_asks_and_then_answered(zoho):
    sleeps = Sleeps()
    client = client_for(zoho, sleeps=sleeps)
    zoho.fail("/api/v2/session", 429, times=2, retry_after="3")
    session = run(client, client.create_session())
    assert session.session_id.isdigit()
    assert sleeps.waits == [3.0, 3.0]


def test_a_429_asking_for_a_long_wait_is_reported_not_waited(zoho):
    sleeps = Sleeps()
    client = client_for(zoho, sleeps=sleeps)
    zoho.fail("/api/v2/session", 429, retry_after="120")
    with pytest.raises(ProviderUnavailable, match="wait 120 seconds") as refused:
        run(client, client.create_session())
    assert "switch the session" in str(refused.value)
    assert sleeps.waits == []


def test_server_errors_are_retried_with_growing_back_off_then_given_up_in_words(zoho):
    sleeps = Sleeps()
    client = client_for(zoho, sleeps=sleeps)
    zoho.fail("/api/v2/session", 503, times=2)
    assert run(client, client.create_session()).session_id
    assert len(sleeps.waits) == 2

    client = client_for(zoho)
    zoho.fail("/api/v2/session", 500, times=4)
    with pytest.raises(ProviderUnavailable) as failed:
        run(client, client.create_session())
    assert str(failed.value) == (
        "Could not create a session with Zoho Assist: it answered with a server error (HTTP 500), 4 times. "
        "Try again in a few minutes; if it keeps failing, switch the session to the other provider."
    )


def test_an_unreachable_zoho_is_reported_as_such():
    with StandInZoho() as standin:
        environ = standin.environ()
    # The stand-in is stopped: nothing listens on its port any more.
    settings = ProviderSettings.from_environ(environ, development=True).zoho
    client = ZohoAssist(settings, retry=RetryPolicy(attempts=2, sleep=Sleeps()))
    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        run(client, client.create_session())


def test_refused_credentials_say_what_to_fix(zoho):
    client = client_for(zoho, PHONETEX_ZOHO_REFRESH_TOKEN="1000.revoked.token")
    with pytest.raises(ProviderAuthError) as refused:
        run(client, client.create_session())
    assert "refused the refresh token (invalid_code)" in str(refused.value)
    assert "ZohoAssist.sessionapi.CREATE, ZohoAssist.reportapi.READ, ZohoAssist.userapi.READ" in str(refused.value)

    client = client_for(zoho, PHONETEX_ZOHO_CLIENT_SECRET="wrong")
    with pytest.raises(ProviderAuthError, match="invalid_client"):
        run(client, client.create_session())
    assert zoho.calls("/api/v2/session") == []


def test_a_scheduled_session_uses_the_technicians_department_and_gives_the_schedule_link(zoho):
    client = client_for(zoho)
    start = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
    session = run(
        client,
        client.schedule_session(
            customer_email="john@zylker.com",
            title="Phonetex support PTX-1042",
            start=start,
            end=start + timedelta(hours=1),
            time_zone="Europe/London",
        ),
    )
    checked = check_join_link(session.customer_url, BRAND)
    assert checked.url == session.customer_url and "/assist-schedule?" in checked.url
    assert session.session_id in session.customer_url
    (call,) = zoho.calls("/api/v2/session/schedule")
    assert call.body["department_id"] == zoho.department_id
    assert call.body["schedule_time"] == int(start.timestamp() * 1000)
    assert (call.body["utc_offset"], call.body["time_zone"], call.body["mode"]) == ("+01:00", "Europe/London", "SCHEDULE")
    assert len(zoho.calls("/api/v2/user")) == 1


def test_the_report_of_a_session_is_found_on_the_second_page(zoho):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(60):
        zoho.session_held(str(100000000 + n), start + timedelta(minutes=n), start + timedelta(minutes=n + 1))
    zoho.session_held("880567893", start + timedelta(hours=2), start + timedelta(hours=2, seconds=155.493))
    client = client_for(zoho)

    async def reports():
        found = await client.session_report("880567893", start, start + timedelta(days=1))
        missing = await client.session_report("999999999", start, start + timedelta(days=1))
        return found, missing

    found, missing = run(client, reports())
    assert found.started_at == start + timedelta(hours=2)
    assert found.duration_seconds == pytest.approx(155.493)
    assert missing is None
    pages = [c.query["index"] for c in zoho.calls("/api/v2/reports")]
    assert pages == ["1", "51", "1", "51"]


def test_an_answer_without_the_customer_link_is_a_clear_error():
    # A shape the stand-in does not produce on demand: a MockTransport stands in for the fault.
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/v2/token"):
            return httpx.Response(200, json={"access_token": "1000.a.b", "expires_in": 3600})
        return httpx.Response(200, json={"representation": {"session_id": "1", "technician_url": "x"}})

    settings = ProviderSettings.from_environ(
        {"PHONETEX_ZOHO_CLIENT_ID": "i", "PHONETEX_ZOHO_CLIENT_SECRET": "s", "PHONETEX_ZOHO_REFRESH_TOKEN": "r"}
    ).zoho
    client = ZohoAssist(settings, client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    with pytest.raises(ProviderAnswerError, match="has no customer_url"):
        run(client, client.create_session())
