"""The wrong-code limit holds under bursts, many addresses and restarts, and lets honest offices
through (issue 11). Unit tests of the counter with a fake clock, then the real server."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from app.core.contract import TICKET_HEADER
from server.domain.limits import FailedLookups, LookupLimit, Tickets, client_keys
from server.domain.lockouts import keep_lockout, kept_lockouts
from server.domain.refusals import TooManyWrongCodes, UnknownCode
from server.embedded import EmbeddedServer
from server.storage import open_store
from server.web.app import WRONG_TOKENS
from testbed.consent_records import make_record
from tests.database_fixtures import select


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def wrong(limits: FailedLookups, address: str) -> None:
    with pytest.raises(UnknownCode), limits.counting(address):
        raise UnknownCode("no such session")


def test_the_wait_ends_a_window_after_the_newest_wrong_code() -> None:
    clock = FakeClock()
    limits = FailedLookups(LookupLimit(max_failures=2, window_seconds=60), clock=clock)
    wrong(limits, "203.0.113.5")
    clock.now += 10
    wrong(limits, "203.0.113.5")
    assert limits.retry_after("203.0.113.5") == 60
    assert limits.retry_after("203.0.113.6") is None
    clock.now += 59.5
    assert limits.retry_after("203.0.113.5") == 1
    clock.now += 0.5
    assert limits.retry_after("203.0.113.5") is None
    # A fresh budget: nothing of the window before is left.
    wrong(limits, "203.0.113.5")
    assert limits.retry_after("203.0.113.5") is None


def test_right_codes_give_their_guess_back_but_do_not_wipe_the_count() -> None:
    limits = FailedLookups(LookupLimit(max_failures=3, window_seconds=60), clock=FakeClock())
    wrong(limits, "203.0.113.5")
    wrong(limits, "203.0.113.5")
    for _ in range(10):
        with limits.counting("203.0.113.5"):
            pass  # a right code
    wrong(limits, "203.0.113.5")
    with pytest.raises(TooManyWrongCodes), limits.counting("203.0.113.5"):
        pass


def test_honest_requests_at_once_wait_for_guesses_in_flight_instead_of_a_429() -> None:
    limits = FailedLookups(LookupLimit(max_failures=3, window_seconds=3600), clock=FakeClock())

    async def look_up() -> str:
        async with limits.guarding("203.0.113.5"):
            await asyncio.sleep(0)  # a right code, looked up
        return "200"

    async def office() -> list[str]:
        return await asyncio.gather(*(look_up() for _ in range(50)))

    assert asyncio.run(office()) == ["200"] * 50


def test_a_burst_gets_no_more_guesses_than_the_budget_whatever_the_concurrency() -> None:
    limits = FailedLookups(LookupLimit(max_failures=10, window_seconds=3600), clock=FakeClock())
    processed = []

    async def one_request(number: int) -> str:
        try:
            async with limits.guarding("203.0.113.5"):
                await asyncio.sleep(0)  # the body read and the group commit: awaits
                processed.append(number)
                raise UnknownCode("wrong")
        except TooManyWrongCodes:
            return "429"
        except UnknownCode:
            return "404"

    async def burst() -> list[str]:
        return await asyncio.gather(*(one_request(number) for number in range(1000)))

    answers = asyncio.run(burst())
    assert len(processed) == 10 and answers.count("404") == 10 and answers.count("429") == 990


def test_ipv6_counts_the_64_and_the_48() -> None:
    limits = FailedLookups(LookupLimit(max_failures=2, prefix_max_failures=5, window_seconds=60), clock=FakeClock())
    assert client_keys("2001:db8:1:2::1") == ("2001:db8:1:2::/64", "2001:db8:1::/48")
    assert client_keys("::ffff:203.0.113.5") == client_keys("203.0.113.5") == ("203.0.113.5",)
    wrong(limits, "2001:db8:1:2::1")
    wrong(limits, "2001:db8:1:2:ffff::99")
    assert limits.retry_after("2001:db8:1:2::abcd") is not None  # one household, one /64
    # Other /64s of the same /48 share its budget of 5: three more, then all of the /48 waits.
    for subnet in range(3, 6):
        assert limits.retry_after(f"2001:db8:1:{subnet}::1") is None
        wrong(limits, f"2001:db8:1:{subnet}::1")
    assert limits.retry_after("2001:db8:1:ffff::1") is not None
    assert limits.retry_after("2001:db8:2:1::1") is None  # the next /48 is someone else


def test_memory_stays_bounded_and_no_lockout_is_forgotten() -> None:
    clock = FakeClock()
    limits = FailedLookups(LookupLimit(max_failures=3, window_seconds=3600, max_clients=100), clock=clock)
    for _ in range(3):
        wrong(limits, "198.51.100.1")
    assert limits.retry_after("198.51.100.1") is not None
    for number in range(5000):  # other addresses come and go, each with one wrong code
        wrong(limits, f"10.{number // 65536}.{number // 256 % 256}.{number % 256}")
    assert limits.tracked_clients() <= 100
    assert limits.retry_after("198.51.100.1") is not None  # still locked out
    assert limits.retry_after("10.0.0.0") is None  # the oldest unlocked counts were forgotten


def test_lockouts_are_kept_in_the_store_and_survive_a_restart(database: str) -> None:
    clock = FakeClock()
    store = open_store(database)
    try:
        kept: list[tuple[str, float]] = []
        limits = FailedLookups(
            LookupLimit(max_failures=2, window_seconds=600), clock=clock,
            on_lockout=lambda network, until: (kept.append((network, until)), keep_lockout(store, network, until)),
        )
        wrong(limits, "203.0.113.5")
        wrong(limits, "203.0.113.5")
        assert [network for network, _ in kept] == ["203.0.113.5"]
        restarted = FailedLookups(LookupLimit(max_failures=2, window_seconds=600), clock=clock)
        restarted.restore(kept_lockouts(store, clock()))
        assert 599 <= restarted.retry_after("203.0.113.5") <= 601
        clock.now += 601
        assert kept_lockouts(store, clock()) == []  # ended ones are dropped
    finally:
        store.close()


def test_tickets_prove_a_look_up_of_that_code_only_and_expire() -> None:
    clock = FakeClock()
    tickets = Tickets(b"k" * 32, clock=clock)
    ticket = tickets.issue("482913557")
    assert tickets.valid(ticket, "482913557")
    assert not tickets.valid(ticket, "482913558")
    assert not Tickets(b"x" * 32, clock=clock).valid(ticket, "482913557")
    assert not tickets.valid(ticket.replace(ticket[-1], "0" if ticket[-1] != "0" else "1"), "482913557")
    assert not tickets.valid("9" * 12 + "." + "0" * 32, "482913557")
    assert not tickets.valid(None, "482913557") and not tickets.valid("x" * 5000, "482913557")
    clock.now += Tickets.LIFETIME + 1
    assert not tickets.valid(ticket, "482913557")


# --- against the real server ---------------------------------------------------------------


def test_an_office_of_fifty_with_ten_typos_all_get_through(database) -> None:
    """50 customers behind one address; ten of them mistype their code first. With the default
    limit, every one looks their session up and records consent."""
    with EmbeddedServer(database) as server:
        sessions = [server.create_session()["code"] for _ in range(50)]
        with httpx.Client(base_url=server.base_url, timeout=20) as office:
            for number, code in enumerate(sessions):
                if number % 5 == 0:  # ten typos among the fifty
                    typo = f"{(int(code) + 1) % 10**9:09d}"
                    assert office.get(f"/api/v1/sessions/{typo}").status_code in (404, 410)
                looked_up = office.get(f"/api/v1/sessions/{code}")
                assert looked_up.status_code == 200, looked_up.text
                ticket = looked_up.json()["consent_ticket"]
                consent = office.post(
                    f"/api/v1/sessions/{code}/consent", json=make_record(code), headers={TICKET_HEADER: ticket}
                )
                assert consent.status_code == 201, consent.text
        assert server.store.consent_count() == 50


def test_a_ticket_lets_a_consent_past_a_locked_out_network(database) -> None:
    limit = LookupLimit(max_failures=3, window_seconds=600)
    with EmbeddedServer(database, lookup_limit=limit) as server:
        code = server.create_session()["code"]
        with httpx.Client(base_url=server.base_url, timeout=20) as office:
            ticket = office.get(f"/api/v1/sessions/{code}").json()["consent_ticket"]
            for wrong_code in ("100000001", "100000002", "100000003"):  # the neighbours' typos
                office.get(f"/api/v1/sessions/{wrong_code}")
            assert office.get(f"/api/v1/sessions/{code}").status_code == 429
            without = office.post(f"/api/v1/sessions/{code}/consent", json=make_record(code))
            assert without.status_code == 429
            forged = office.post(
                f"/api/v1/sessions/{code}/consent", json=make_record(code), headers={TICKET_HEADER: "1." + "0" * 32}
            )
            assert forged.status_code == 429
            other = server.create_session()["code"]  # a ticket is for its own code only
            assert office.post(
                f"/api/v1/sessions/{other}/consent", json=make_record(other), headers={TICKET_HEADER: ticket}
            ).status_code == 429
            given = office.post(f"/api/v1/sessions/{code}/consent", json=make_record(code), headers={TICKET_HEADER: ticket})
            assert given.status_code == 201, given.text



def test_a_burst_of_slow_bodies_at_the_real_server_gets_only_the_budget(database) -> None:
    """200 consent POSTs for wrong codes from one address send their headers first and their
    bodies only once the server holds them all: no more than the budget is processed, and the
    real session behind them is out of reach afterwards."""
    limit = LookupLimit(max_failures=5, window_seconds=600)
    with EmbeddedServer(database, lookup_limit=limit) as server:
        real = server.create_session()["code"]
        host, port = server.base_url.removeprefix("http://").split(":")
        counter: FailedLookups = server._app.state.wrong_codes

        async def burst() -> list[int]:
            connections = []
            for number in range(200):
                code = f"{100000000 + number:09d}"
                body = json.dumps(make_record(code)).encode()
                reader, writer = await asyncio.open_connection(host, int(port))
                writer.write(
                    f"POST /api/v1/sessions/{code}/consent HTTP/1.1\r\nHost: {host}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                )
                await writer.drain()
                connections.append((reader, writer, body))
            # The server is at work on the first requests (guesses taken) before any body arrives.
            deadline = asyncio.get_running_loop().time() + 10
            while counter.in_flight("127.0.0.1") < limit.max_failures:
                assert asyncio.get_running_loop().time() < deadline, "the server never took the guesses"
                await asyncio.sleep(0.01)
            for _, writer, body in connections:
                writer.write(body)
            await asyncio.gather(*(writer.drain() for _, writer, _ in connections))

            async def status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
                line = await asyncio.wait_for(reader.readline(), 30)
                writer.close()
                return int(line.split()[1])

            return await asyncio.gather(*(status(reader, writer) for reader, writer, _ in connections))

        statuses = asyncio.run(burst())
        assert statuses.count(404) == limit.max_failures and statuses.count(429) == 200 - limit.max_failures
        late = httpx.post(f"{server.base_url}/api/v1/sessions/{real}/consent", json=make_record(real))
        assert late.status_code == 429
        assert server.store.consent_count() == 0


def test_a_lockout_is_in_the_database_and_holds_after_a_restart(database) -> None:
    limit = LookupLimit(max_failures=2, window_seconds=600)
    with EmbeddedServer(database, lookup_limit=limit) as server:
        for wrong_code in ("100000001", "100000002"):
            httpx.get(f"{server.base_url}/api/v1/sessions/{wrong_code}")
        assert httpx.get(f"{server.base_url}/api/v1/sessions/100000003").status_code == 429
    assert [network for (network,) in select(database, "SELECT network FROM lockouts")] == ["127.0.0.1"]
    with EmbeddedServer(database, lookup_limit=limit) as again:
        answer = httpx.get(f"{again.base_url}/api/v1/sessions/100000003")
        assert answer.status_code == 429 and 500 <= json.loads(answer.text)["retry_after"] <= 601


def test_wrong_technician_tokens_are_slowed_down_per_address(tmp_path) -> None:
    token = "the-right-token-Hq3Vz8Kw2Lp7"
    with EmbeddedServer(tmp_path / "c.sqlite3", token=token) as server, httpx.Client(base_url=server.base_url) as http:
        new = {"technician": "Sam", "join_url": "https://assist.zoho.com/join?role=A&key=1"}
        tries = [
            http.post("/api/v1/sessions", json=new, headers={"Authorization": f"Bearer guess-{n}"}).status_code
            for n in range(WRONG_TOKENS.max_failures)
        ]
        assert tries == [401] * WRONG_TOKENS.max_failures
        # Now even the right token waits: trying tokens at speed gets nowhere.
        stopped = http.post("/api/v1/sessions", json=new, headers={"Authorization": f"Bearer {token}"})
        assert stopped.status_code == 429 and stopped.json()["retry_after"] > 0
        assert http.get("/api/v1/sessions/100000001/consent", headers={"Authorization": f"Bearer {token}"}).status_code == 429
    with EmbeddedServer(tmp_path / "other.sqlite3", token=token) as fresh:
        assert httpx.post(f"{fresh.base_url}/api/v1/sessions", json=new, headers={"Authorization": f"Bearer {token}"}).status_code == 201


def test_an_office_reporting_steps_at_once_is_not_refused_for_guesses_in_flight(database) -> None:
    """50 launchers behind one address report a step at the same moment, more than the budget of
    requests in flight at once: each waits for a guess to come back instead of failing."""
    limit = LookupLimit(max_failures=5, window_seconds=600)
    with EmbeddedServer(database, lookup_limit=limit) as server:
        codes = [server.create_session()["code"] for _ in range(50)]

        async def office() -> list[int]:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
                answers = await asyncio.gather(*(
                    http.post(f"/api/v1/sessions/{code}/steps", json={
                        "event_id": f"6f1c1c1e-2d0a-4a5e-9a57-{number:012d}", "step": "launcher_started",
                        "details": {}, "schema_version": 1,
                    })
                    for number, code in enumerate(codes)
                ))
            return [answer.status_code for answer in answers]

        assert asyncio.run(office()) == [201] * 50
