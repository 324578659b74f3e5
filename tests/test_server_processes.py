"""Several server processes on one PostgreSQL database, as behind a load balancer.

Each process is a real ``python -m server serve --database postgresql://...``; a client that talks
to one and then another is what a load balancer does to a customer's retries.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from testbed.consent_records import make_record
from testbed.postgres_cluster import free_port
from testbed.server_processes import REPO, TOKEN, ServerProcess, start_server
from tests.database_fixtures import select

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"


def open_session(base_url: str) -> dict:
    created = httpx.post(
        f"{base_url}/api/v1/sessions",
        json={"technician": "Sam Carter", "join_url": ZOHO_LINK},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return created.json()


def post_consent(base_url: str, record: dict) -> httpx.Response:
    with httpx.Client(timeout=20) as client:
        return client.post(f"{base_url}/api/v1/sessions/{record['session_code']}/consent", json=record)


@pytest.fixture(scope="module")
def shared_database(postgres_cluster) -> str:
    return postgres_cluster.url(postgres_cluster.new_database(migrated=True))


@pytest.fixture(scope="module")
def two_servers(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    logs = tmp_path_factory.mktemp("processes")
    started: list[ServerProcess] = []
    try:
        for name in ("a", "b"):
            started.append(start_server(shared_database, logs / f"{name}.log"))
        yield started
    finally:
        for server in started:
            server.stop()


def race(*calls):
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait(timeout=10)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_a_session_opened_on_one_process_is_served_by_the_other_with_the_same_words(two_servers) -> None:
    a, b = two_servers
    created = open_session(a.base_url)
    looked_up = httpx.get(f"{b.base_url}/api/v1/sessions/{created['code']}", timeout=10)
    assert looked_up.status_code == 200
    assert looked_up.json()["verification_words"] == created["verification_words"]


def test_a_receipt_sent_to_both_processes_at_once_gets_one_answer_and_one_row(two_servers, shared_database) -> None:
    a, b = two_servers
    for _ in range(5):
        record = make_record(open_session(a.base_url)["code"])
        first, second = race(lambda r=record: post_consent(a.base_url, r), lambda r=record: post_consent(b.base_url, r))
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
        assert first.content == second.content
        rows = select(shared_database, "SELECT receipt_id FROM consents WHERE session_code = ?", (record["session_code"],))
        assert rows == [(record["receipt_id"],)]


def test_two_consents_for_one_session_on_two_processes_store_one(two_servers, shared_database) -> None:
    a, b = two_servers
    for _ in range(5):
        code = open_session(b.base_url)["code"]
        answers = race(lambda c=code: post_consent(a.base_url, make_record(c)), lambda c=code: post_consent(b.base_url, make_record(c)))
        assert sorted(answer.status_code for answer in answers) == [201, 409]
        assert [answer.json()["error"] for answer in answers if answer.status_code == 409] == ["already_consented"]
        assert select(shared_database, "SELECT count(*) FROM consents WHERE session_code = ?", (code,)) == [(1,)]


def test_a_process_killed_mid_load_loses_nothing_and_the_others_answer_its_retries(
    two_servers, shared_database, tmp_path: Path
) -> None:
    _, survivor = two_servers
    victim = start_server(shared_database, tmp_path / "victim.log")
    records = [make_record(open_session(survivor.base_url)["code"]) for _ in range(40)]
    answered: dict[str, httpx.Response] = {}
    started = threading.Event()

    def send(record: dict) -> None:
        started.set()
        try:
            answered[record["receipt_id"]] = post_consent(victim.base_url, record)
        except httpx.HTTPError:
            pass  # the process died under this request: the launcher would retry

    try:
        with ThreadPoolExecutor(len(records)) as pool:
            sending = [pool.submit(send, record) for record in records]
            started.wait(timeout=10)
            # Killed as soon as it has recorded a few: the rest are in flight or not yet sent.
            deadline = time.monotonic() + 20
            while len(answered) < 5 and time.monotonic() < deadline:
                time.sleep(0.005)
            os.kill(victim.process.pid, signal.SIGKILL)
            for future in sending:
                future.result(timeout=30)
    finally:
        victim.stop()
    acknowledged = {rid: answer for rid, answer in answered.items() if answer.status_code == 201}
    assert acknowledged, "the process was killed before it recorded anything; the test proved nothing"
    assert len(acknowledged) < len(records), "the process was killed too late; the test proved nothing"

    # Every launcher retries its own record against the surviving process.
    retries = {record["receipt_id"]: post_consent(survivor.base_url, record) for record in records}
    assert all(answer.status_code == 201 for answer in retries.values())
    for receipt_id, answer in acknowledged.items():
        assert retries[receipt_id].content == answer.content  # the same reference and join link
    codes = [record["session_code"] for record in records]
    placeholders = ",".join("?" * len(codes))
    rows = select(shared_database, f"SELECT receipt_id FROM consents WHERE session_code IN ({placeholders})", codes)
    assert sorted(rows) == sorted((record["receipt_id"],) for record in records)  # each once


def test_serve_workers_shares_one_port_between_processes(shared_database, tmp_path: Path) -> None:
    port = free_port()
    server = start_server(shared_database, tmp_path / "workers.log", "--workers", "2", port=port)
    try:
        log = server.log.read_text(errors="replace")
        deadline = time.monotonic() + 30
        while len(set(re.findall(r"Started server process \[(\d+)\]", log))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            log = server.log.read_text(errors="replace")
        assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) == 2, log[-2000:]
        codes = [open_session(server.base_url)["code"] for _ in range(10)]
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda code: post_consent(server.base_url, make_record(code)), codes))
        assert [answer.status_code for answer in answers] == [201] * 10
    finally:
        server.stop()


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--db", str(tmp_path / "c.sqlite3"), "--workers", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(("trusted", "spoofed_addresses_get_through"), [([], False), (["--trusted-proxy", "127.0.0.1"], True)])
def test_forwarding_headers_count_only_from_the_named_proxy(
    database: str, tmp_path: Path, trusted: list[str], spoofed_addresses_get_through: bool
) -> None:
    # On both engines: on PostgreSQL the wrong codes are counted in the database, by the key the
    # forwarding rule chose.
    server = start_server(database, tmp_path / "serve.log", "--lookup-failures", "2", *trusted)
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            statuses = [
                client.get(f"/api/v1/sessions/10000000{i}", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                for i in range(1, 5)
            ]
    finally:
        server.stop()
    # Behind the named proxy each forwarded address has its own budget; without one, a client
    # cannot buy a fresh budget by sending a header.
    assert statuses == ([404] * 4 if spoofed_addresses_get_through else [404, 404, 429, 429])


def test_a_trusted_proxy_must_be_an_address(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--db", str(tmp_path / "c.sqlite3"), "--trusted-proxy", "*"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "--trusted-proxy" in result.stderr and result.stderr.count("\n") == 1


def test_the_wrong_code_limit_is_shared_by_the_processes(postgres_cluster, tmp_path: Path) -> None:
    database = postgres_cluster.url(postgres_cluster.new_database(migrated=True))
    a = start_server(database, tmp_path / "a.log", "--lookup-failures", "3")
    try:
        b = start_server(database, tmp_path / "b.log", "--lookup-failures", "3")
        try:
            real = open_session(a.base_url)["code"]
            tries = [
                httpx.get(f"{server.base_url}/api/v1/sessions/10000000{i}", timeout=10).status_code
                for i, server in enumerate((a, b, a))
            ]
            assert tries == [404, 404, 404]
            # Three wrong codes over two processes: both refuse this address now, even a real code.
            assert httpx.get(f"{b.base_url}/api/v1/sessions/{real}", timeout=10).status_code == 429
            assert httpx.get(f"{a.base_url}/api/v1/sessions/100000009", timeout=10).status_code == 429
        finally:
            b.stop()
        # A restarted process remembers the lock-out.
        again = start_server(database, tmp_path / "again.log", "--lookup-failures", "3")
        try:
            assert httpx.get(f"{again.base_url}/api/v1/sessions/{real}", timeout=10).status_code == 429
        finally:
            again.stop()
    finally:
        a.stop()
