"""Transport-level abuse against the real server process (issue 11): forwarded addresses, header
size and time, connection counts, and errors from the HTTP layer."""

from __future__ import annotations

import httpx

from testbed.server_processes import served


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_named(tmp_path, database) -> None:
    with served(tmp_path, "--lookup-failures", "2", database=database) as server, httpx.Client(base_url=server.base_url) as client:
        # A forwarder on loopback cannot hand out fresh addresses: all count as the forwarder.
        statuses = [
            client.get(f"/api/v1/sessions/10000000{n}", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(4)
        ]
    assert statuses == [404, 404, 429, 429]


def test_a_named_proxy_forwards_the_clients_address(tmp_path, database) -> None:
    with served(tmp_path, "--lookup-failures", "2", "--trusted-proxy", "127.0.0.1", database=database) as server, httpx.Client(
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
    # SQLite's: a second process holding its one write lock is how its writers get stuck.
    import sqlite3
    import threading

    from testbed.consent_records import make_record
    from testbed.server_processes import TOKEN

    technician = {"Authorization": f"Bearer {TOKEN}"}
    new_session = {"technician": "Sam", "join_url": "https://assist.zoho.com/join?role=A&key=1"}
    with served(tmp_path) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        code = client.post("/api/v1/sessions", json=new_session, headers=technician).json()["code"]
        holder = sqlite3.connect(tmp_path / "c.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        outcome: dict[str, int] = {}

        def write(name: str, path: str, body: dict, headers: dict[str, str] | None = None) -> threading.Thread:
            def send() -> None:
                outcome[name] = httpx.post(f"{server.base_url}{path}", json=body, headers=headers, timeout=30).status_code

            thread = threading.Thread(target=send)
            thread.start()
            return thread

        # Every kind of write waits for the lock on the store's thread, none on the event loop:
        # the consent (group commit), a technician opening a session, a launcher's step report.
        writers = [
            write("consent", f"/api/v1/sessions/{code}/consent", make_record(code)),
            write("session", "/api/v1/sessions", new_session, technician),
            write("step", f"/api/v1/sessions/{code}/steps",
                  {"event_id": "6f1c1c1e-2d0a-4a5e-9a57-0c1f2b3d4e5f", "step": "launcher_started", "details": {},
                   "schema_version": 1}),
        ]
        try:
            # While they wait for the lock, the event loop goes on answering.
            for _ in range(20):
                assert client.get("/healthz", timeout=2).status_code == 200
            assert outcome == {} and all(writer.is_alive() for writer in writers)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        for writer in writers:
            writer.join(timeout=30)
    assert outcome == {"consent": 201, "session": 201, "step": 201}  # all stored once the lock was free
