"""Transport-level abuse against the real server process (issue 11): forwarded addresses, header
size and time, connection counts, and errors from the HTTP layer."""

from __future__ import annotations

import httpx

from tests.server_process import served


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_named(tmp_path) -> None:
    with served(tmp_path, "--lookup-failures", "2") as server, httpx.Client(base_url=server.base_url) as client:
        # A forwarder on loopback cannot hand out fresh addresses: all count as the forwarder.
        statuses = [
            client.get(f"/api/v1/sessions/10000000{n}", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(4)
        ]
    assert statuses == [404, 404, 429, 429]


def test_a_named_proxy_forwards_the_clients_address(tmp_path) -> None:
    with served(tmp_path, "--lookup-failures", "2", "--trusted-proxy", "127.0.0.1") as server, httpx.Client(
        base_url=server.base_url
    ) as client:
        spread = [
            client.get(f"/api/v1/sessions/10000000{n}", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(4)
        ]
        one = [
            client.get(f"/api/v1/sessions/20000000{n}", headers={"X-Forwarded-For": "203.0.113.9"}).status_code
            for n in range(3)
        ]
    assert spread == [404, 404, 404, 404]  # four customers behind the proxy, one wrong code each
    assert one == [404, 404, 429]  # one customer behind it still gets only the budget


def test_healthz_answers_while_a_writer_is_stuck_on_the_database(tmp_path) -> None:
    import sqlite3
    import threading

    from testbed.consent_records import make_record
    from tests.server_process import TOKEN

    with served(tmp_path) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        code = client.post(
            "/api/v1/sessions",
            json={"technician": "Sam", "join_url": "https://assist.zoho.com/join?role=A&key=1"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).json()["code"]
        holder = sqlite3.connect(tmp_path / "c.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        outcome: list[int] = []
        consent = threading.Thread(
            target=lambda: outcome.append(
                httpx.post(f"{server.base_url}/api/v1/sessions/{code}/consent", json=make_record(code), timeout=30).status_code
            )
        )
        consent.start()
        try:
            # While that consent waits for the lock, the event loop goes on answering.
            for _ in range(20):
                assert client.get("/healthz", timeout=2).status_code == 200
            assert outcome == [] and consent.is_alive()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        consent.join(timeout=30)
    assert outcome == [201]  # and it was recorded once the lock was free
