"""Bad input never gets past the server: a clean 4xx JSON answer with a readable message, no
500, no traceback in the log, nothing stored, and the connection stays usable (issue 11). On
both engines (SQLite, PostgreSQL): what one database would take and the other refuse must not
decide the answer."""

from __future__ import annotations

import json
import logging
import socket

import httpx
import pytest

from server.embedded import EmbeddedServer
from testbed.consent_records import make_record

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(module_database: str):
    # One server per engine for the module: each test opens its own session and looks only at it.
    with EmbeddedServer(module_database) as running:
        yield running


@pytest.fixture
def client(server: EmbeddedServer):
    with httpx.Client(base_url=server.base_url) as http:
        yield http


def consent_url(code: str) -> str:
    return f"/api/v1/sessions/{code}/consent"


def stored(server: EmbeddedServer, code: str) -> bool:
    return server.store.consent_for_session(code) is not None


def record_bytes(code: str, **overrides) -> bytes:
    return json.dumps(make_record(code, **overrides)).encode()


def with_raw(code: str, field: str, raw_json_value: str) -> bytes:
    """A record whose ``field`` holds raw JSON text (escapes json.dumps would not write)."""
    data = make_record(code, **{field: "PLACEHOLDER"})
    return json.dumps(data).replace('"PLACEHOLDER"', raw_json_value).encode()


def bad_bodies(code: str) -> list[tuple[str, bytes, dict[str, str], int, str]]:
    return [
        ("1 000 [ in 2 KB", b"[" * 1000 + b"]" * 1000, JSON, 422, "invalid_record"),
        ("nested objects", b'{"a":' * 500 + b"1" + b"}" * 500, JSON, 422, "invalid_record"),
        ("lone surrogate in the name", with_raw(code, "name", '"\\ud800"'), JSON, 422, "invalid_record"),
        ("lone surrogate in an app", with_raw(code, "open_apps__left_open", '[{"name":"\\udfff","category":"email"}]'),
         JSON, 422, "invalid_record"),
        ("C1 control in the name", record_bytes(code, name="Ann\u0085Example"), JSON, 422, "invalid_record"),
        # SQLite would store a NUL; PostgreSQL's text cannot hold one: the text rule refuses it first.
        ("NUL in the name", record_bytes(code, name="Ann\u0000Example"), JSON, 422, "invalid_record"),
        ("a name of zero-width spaces", record_bytes(code, name="\u200b\u200b\u200b"), JSON, 422, "invalid_record"),
        ("bidi override in the name", record_bytes(code, name="Ann \u202eelpmaxE"), JSON, 422, "invalid_record"),
        ("year 1", record_bytes(code, given_at="0001-01-01T00:00:00Z"), JSON, 422, "invalid_record"),
        ("year 9999", record_bytes(code, given_at="9999-12-31T23:59:59Z"), JSON, 422, "invalid_record"),
        ("age of 4 000 digits", with_raw(code, "backup__age_seconds", "9" * 4000), JSON, 422, "invalid_record"),
        ("age of 5 000 digits", with_raw(code, "backup__age_seconds", "9" * 5000), JSON, 422, "invalid_record"),
        ("a key twice", record_bytes(code)[:-1] + b', "name": "Mallory"}', JSON, 422, "invalid_record"),
        ("text/plain", record_bytes(code), {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ("a form", b"name=Ann", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ("no content type", record_bytes(code), {}, 415, "unsupported_media_type"),
        ("latin-1 charset", record_bytes(code), {"Content-Type": "application/json; charset=latin-1"}, 415,
         "unsupported_media_type"),
    ]


CASES = [case[0] for case in bad_bodies("123456789")]


@pytest.mark.parametrize("case", CASES)
def test_bad_consent_bodies_get_a_clean_4xx_and_store_nothing(server, client, caplog, case) -> None:
    code = server.create_session()["code"]
    _, body, headers, status, word = next(c for c in bad_bodies(code) if c[0] == case)
    with caplog.at_level(logging.WARNING):
        answer = client.post(consent_url(code), content=body, headers=headers)
    assert answer.status_code == status, answer.text
    data = answer.json()
    assert data["error"] == word and data["message"].strip()
    assert "Traceback" not in answer.text
    assert not stored(server, code)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    # The same connection goes on serving.
    assert answer.headers.get("connection") != "close"
    assert client.get(f"/api/v1/sessions/{code}").status_code == 200


def test_a_receipt_id_sent_again_with_a_different_record_is_refused(server, client) -> None:
    code = server.create_session()["code"]
    first = make_record(code)
    assert client.post(consent_url(code), json=first).status_code == 201
    changed = {**first, "name": "Mallory"}
    answer = client.post(consent_url(code), json=changed)
    assert answer.status_code == 409 and answer.json()["error"] == "receipt_reused"
    # The very same record again is a retry and gets the first answer.
    again = client.post(consent_url(code), json=first)
    assert again.status_code == 201
    assert json.loads(server.store.consent_for_session(code).record_json)["name"] == "Ann Example"


@pytest.mark.parametrize(
    "body",
    [
        {"technician": "\ud800", "join_url": "https://assist.zoho.com/join?role=A&key=1"},
        {"technician": "Sam\u009b", "join_url": "https://assist.zoho.com/join?role=A&key=1"},
        {"technician": "Sam", "ticket": "PTX\u00001", "join_url": "https://assist.zoho.com/join?role=A&key=1"},
        {"technician": "Sam", "join_url": "https://assist.zoho.com/join?role=A&key=1", "expires_in_minutes": 10**40},
    ],
)
def test_bad_session_requests_are_clean_422s(server, client, body) -> None:
    raw = json.dumps(body).encode()
    answer = client.post(
        "/api/v1/sessions", content=raw, headers={**JSON, "Authorization": f"Bearer {server.token}"}
    )
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_request"


def test_a_server_failure_says_connection_close(database: str) -> None:
    with EmbeddedServer(database) as broken:
        broken.store.close()  # every query now fails inside the server
        with httpx.Client(base_url=broken.base_url) as http:
            answer = http.get("/api/v1/sessions/123456789")
        # On the wire: the whole answer, then the server's end of the connection (not a reset).
        host, port = broken.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /api/v1/sessions/123456789 HTTP/1.1\r\nHost: x\r\n\r\n")
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
    assert answer.status_code == 500 and answer.json()["error"] == "internal_error"
    assert answer.headers["connection"] == "close"
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500") and b"connection: close" in head.lower()
    assert json.loads(body)["error"] == "internal_error"


def test_after_a_full_disk_the_server_recovers_once_there_is_room(consent_server, caplog) -> None:
    # SQLite only: its way to run out of room on demand (max_page_count) and its WAL's checkpoint;
    # a PostgreSQL server's disk is the cluster's, which a test cannot fill without harm.
    store = consent_server.store
    code = consent_server.create_session()["code"]
    big = make_record(code, open_apps__left_open=[{"name": f"App {n}", "category": "other"} for n in range(200)])
    with store._lock:  # the engine's own connection: no room beyond the pages it has now
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")
    with caplog.at_level(logging.ERROR):
        full = httpx.post(f"{consent_server.base_url}{consent_url(code)}", json=big)
    assert full.status_code == 500 and full.json()["error"] == "internal_error"
    assert not stored(consent_server, code)  # nothing half-written, nothing answered as stored
    with store._lock:  # space comes back
        store._db.execute("PRAGMA max_page_count = 1073741823")
    with httpx.Client(base_url=consent_server.base_url) as again:  # the 500 closed the last connection
        retried = again.post(consent_url(code), json=big)
        assert retried.status_code == 201, retried.text
        assert again.get(f"/api/v1/sessions/{code}").json()["status"] == "consented"
    assert stored(consent_server, code)
    assert store._full is False  # the WAL was checkpointed (TRUNCATE) on the way back


@pytest.mark.parametrize("path", ["/api/v1/sessions/123456789/consent", "/api/v1/sessions/123456789/provider"])
def test_a_wrong_method_is_told_every_method_the_address_serves(client, path) -> None:
    # Found by schemathesis (tests/test_api_fuzz.py): the Allow header named only one of GET and POST.
    answer = client.request("DELETE", path)
    assert answer.status_code == 405 and answer.json()["error"] == "method_not_allowed"
    assert {"GET", "POST"} <= {method.strip() for method in answer.headers["allow"].split(",")}
