"""The reference consent server against docs/server-api.md, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.core.brand import load_brand
from app.core.consent_record import ConsentRecord
from app.core.read_back import checklist
from app.core.terms import load_terms
from app.core.verification_words import derive_words, word_list
from server.config import ServerConfig
from server.domain.codes import REFERENCE_ALPHABET, new_reference, new_session_code
from server.domain.consents import record_consent
from server.domain.limits import LookupLimit
from server.domain.sessions import cancel_session, open_session, words_secret
from server.embedded import EmbeddedServer, start_demo_server
from server.storage import StoreError, open_store
from server.storage.sqlite import SqliteStore
from server.web.app import create_app
from testbed.consent_records import REMOVE, make_record
from tests.database_fixtures import location_args, select

REPO = Path(__file__).resolve().parents[1]
ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
# The join pages answer browsers in HTML; API clients that ask get the JSON errors.
JSON = {"Accept": "application/json"}
REFERENCE = re.compile(rf"[{REFERENCE_ALPHABET}]{{3}}-[{REFERENCE_ALPHABET}]{{3}}")
UNLIMITED = LookupLimit(max_failures=1_000_000)


@pytest.fixture(scope="module")
def server(module_database: str):
    # One server per engine for the module: every test opens its own sessions, so they cannot
    # interfere. All tests are one client address, so wrong codes are not limited here; the limit
    # has its own tests below, each on its own server.
    with EmbeddedServer(module_database, token="tech-token", lookup_limit=UNLIMITED) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: EmbeddedServer):
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def session(server: EmbeddedServer) -> dict:
    return server.create_session(technician="Sam Carter", ticket="PTX-1", join_url=ZOHO_LINK)


def tech(server: EmbeddedServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def assert_error(response: httpx.Response, status: int, error: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["message"], str) and body["message"].endswith(".")
    assert "Traceback" not in response.text
    return body


def consent_url(code: str) -> str:
    return f"/api/v1/sessions/{code}/consent"


# --- health and sessions ----------------------------------------------------------------------


def test_health(http: httpx.Client) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_non_ascii_token_works(database: str) -> None:
    with EmbeddedServer(database, token="jeton-été") as running:
        response = httpx.post(
            f"{running.base_url}/api/v1/sessions",
            json={"technician": "Sam", "join_url": ZOHO_LINK},
            headers={"Authorization": "Bearer jeton-été".encode()},
        )
    assert response.status_code == 201


def test_technician_creates_a_session(server: EmbeddedServer, http: httpx.Client) -> None:
    body = {"technician": "Sam Carter", "ticket": "PTX-77", "join_url": ZOHO_LINK, "provider": "zoho-assist"}
    response = http.post("/api/v1/sessions", json=body, headers=tech(server))
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {
        "code", "company", "technician", "ticket", "expires_at", "status", "verification_words", "customer_link",
    }
    assert re.fullmatch(r"[1-9][0-9]{8}", created["code"])
    assert created["customer_link"] == f"{server.base_url}/join/{created['code']}"
    assert (created["company"], created["technician"], created["ticket"], created["status"]) == (
        "Phonetex", "Sam Carter", "PTX-77", "open",
    )
    expires = datetime.fromisoformat(created["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(minutes=60)


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", "Basic tech-token", "Bearer", "tech-token", "Bearer tëch".encode("latin-1")]
)
def test_creating_a_session_needs_the_token(server: EmbeddedServer, http: httpx.Client, authorization) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = http.post("/api/v1/sessions", json={"technician": "Eve", "join_url": ZOHO_LINK}, headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        {"join_url": ZOHO_LINK},
        {"technician": "Sam", "join_url": "ftp://assist.zoho.com/join"},
        {"technician": "Sam", "join_url": "not a link"},
        {"technician": "Sam", "join_url": ZOHO_LINK, "provider": "anydesk"},
        {"technician": "Sam", "join_url": ZOHO_LINK, "expires_in_minutes": 0},
        {"technician": "Sam", "join_url": ZOHO_LINK, "expires_in_minutes": "60"},
        {"technician": "Sam", "join_url": ZOHO_LINK, "colour": "red"},
        {"technician": "   ", "join_url": ZOHO_LINK},
        ["technician"],
    ],
)
def test_a_bad_session_request_is_refused(server: EmbeddedServer, http: httpx.Client, body) -> None:
    assert_error(http.post("/api/v1/sessions", json=body, headers=tech(server)), 422, "invalid_request")


def test_customer_looks_up_a_session(http: httpx.Client, session: dict) -> None:
    response = http.get(f"/api/v1/sessions/{session['code']}")
    assert response.status_code == 200
    answer = response.json()
    # Proof of this look-up, for the consent (docs/server-api.md, "Wrong codes").
    assert re.fullmatch(r"[0-9]+\.[0-9a-f]{32}", answer.pop("consent_ticket"))
    assert answer == {
        "code": session["code"],
        "company": load_brand().company,
        "technician": "Sam Carter",
        "ticket": "PTX-1",
        "expires_at": session["expires_at"],
        "status": "open",
        "verification_words": session["verification_words"],
    }


def test_unknown_code_is_404(http: httpx.Client) -> None:
    code = "100000000"
    body = assert_error(http.get(f"/api/v1/sessions/{code}"), 404, "unknown_code")
    assert "100 000 000" in body["message"]
    assert_error(http.post(consent_url(code), json=make_record(code)), 404, "unknown_code")


@pytest.mark.parametrize("code", ["12345678", "1234567890", "12345678a", "123 456 789", "١٢٣٤٥٦٧٨٩"])
def test_malformed_code_is_422(http: httpx.Client, code: str) -> None:
    assert_error(http.get(f"/api/v1/sessions/{code}"), 422, "invalid_code")
    assert_error(http.post(consent_url(code), json=make_record("123456789")), 422, "invalid_code")


def test_expired_session_is_410(server: EmbeddedServer, http: httpx.Client) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    expired = open_session(server.store,
        technician="Sam", ticket=None, join_url=ZOHO_LINK, provider="zoho-assist", expires_in_minutes=60, now=long_ago
    )
    assert_error(http.get(f"/api/v1/sessions/{expired.code}"), 410, "expired")
    assert_error(http.post(consent_url(expired.code), json=make_record(expired.code)), 410, "expired")
    assert_error(http.get(f"/join/{expired.code}", headers=JSON), 410, "expired")


def test_cancelled_session_is_410(server: EmbeddedServer, http: httpx.Client, session: dict) -> None:
    assert cancel_session(server.store, session["code"])
    assert_error(http.get(f"/api/v1/sessions/{session['code']}"), 410, "cancelled")
    assert_error(http.post(consent_url(session["code"]), json=make_record(session["code"])), 410, "cancelled")


# --- consent ----------------------------------------------------------------------------------


def test_consent_is_recorded_with_a_reference(server: EmbeddedServer, http: httpx.Client, session: dict) -> None:
    record = make_record(session["code"])
    response = http.post(consent_url(session["code"]), json=record)
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == {"reference", "receipt", "join_url", "provider"}
    assert REFERENCE.fullmatch(answer["reference"])
    assert (answer["join_url"], answer["provider"]) == (ZOHO_LINK, "zoho-assist")
    receipt = dict(answer["receipt"])
    received_at = datetime.fromisoformat(receipt.pop("received_at").replace("Z", "+00:00"))
    assert abs(received_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert receipt == ConsentRecord.from_dict(record).to_dict()

    assert http.get(f"/api/v1/sessions/{session['code']}").json()["status"] == "consented"
    read_back = http.get(consent_url(session["code"]), headers=tech(server))
    assert read_back.status_code == 200
    # The technician's copy carries the customer's checklist in the customer's words.
    record_sent = ConsentRecord.from_dict(record)
    assert read_back.json() == {
        "reference": answer["reference"],
        "receipt": answer["receipt"],
        "checklist": [str(line) for line in checklist(record_sent.open_apps, record_sent.backup)],
    }
    assert read_back.json()["checklist"][1] == "Left open by choice: Firefox."


def test_same_receipt_again_gets_the_same_answer_and_one_row(server: EmbeddedServer, http: httpx.Client) -> None:
    code = server.create_session(join_url=ZOHO_LINK)["code"]
    record = make_record(code)
    answers = [http.post(consent_url(code), json=record) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].content == answers[1].content == answers[2].content

    rows = select(server.database, "SELECT receipt_id FROM consents WHERE session_code = ?", (code,))
    assert rows == [(record["receipt_id"],)]


def test_a_different_consent_for_a_consented_session_is_409(http: httpx.Client, session: dict) -> None:
    assert http.post(consent_url(session["code"]), json=make_record(session["code"])).status_code == 201
    assert_error(http.post(consent_url(session["code"]), json=make_record(session["code"])), 409, "already_consented")


def test_a_receipt_id_cannot_be_reused_for_another_session(server: EmbeddedServer, http: httpx.Client) -> None:
    first, second = (server.create_session(join_url=ZOHO_LINK)["code"] for _ in range(2))
    record = make_record(first)
    assert http.post(consent_url(first), json=record).status_code == 201
    reused = make_record(second, receipt_id=record["receipt_id"])
    assert_error(http.post(consent_url(second), json=reused), 409, "receipt_reused")
    assert http.get(f"/api/v1/sessions/{second}").json()["status"] == "open"


@pytest.mark.parametrize(
    "overrides",
    [
        {"terms__version": "2019-01"},
        {"terms__sha256": "0" * 64},
        {"terms__id": "someone-elses-terms"},
    ],
)
def test_outdated_terms_are_409_naming_the_current_version(http: httpx.Client, session: dict, overrides) -> None:
    response = http.post(consent_url(session["code"]), json=make_record(session["code"], **overrides))
    body = assert_error(response, 409, "terms_outdated")
    assert body["current_version"] == load_terms().version
    assert load_terms().version in body["message"]
    assert http.get(f"/api/v1/sessions/{session['code']}").json()["status"] == "open"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"name": REMOVE}, "missing: name"),
        ({"pid": 4242}, "pid"),
        ({"session_code": "999999999"}, "999 999 999"),
        ({"acknowledgements__screen_visible": False}, "screen_visible"),
        ({"backup__coverage": 2}, "backup.coverage"),
        ({"receipt_id": "not-a-uuid"}, "receipt_id"),
    ],
)
def test_a_record_off_the_schema_is_422(http: httpx.Client, session: dict, overrides, words: str) -> None:
    response = http.post(consent_url(session["code"]), json=make_record(session["code"], **overrides))
    assert words in assert_error(response, 422, "invalid_record")["message"]


def test_invalid_record_message_is_the_validators(http: httpx.Client, session: dict) -> None:
    record = make_record(session["code"], os_family="beos")
    with pytest.raises(ValueError) as expected:
        ConsentRecord.from_dict(record)
    response = http.post(consent_url(session["code"]), json=record)
    assert assert_error(response, 422, "invalid_record")["message"] == str(expected.value)


@pytest.mark.parametrize("body", [b"{", b"", b"\xff\xfe", b'{"coverage": NaN}'])
def test_malformed_json_is_a_json_error(http: httpx.Client, session: dict, body: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    assert_error(http.post(consent_url(session["code"]), content=body, headers=headers), 422, "invalid_record")


def test_an_oversized_body_is_refused(http: httpx.Client, session: dict) -> None:
    headers = {"Content-Type": "application/json"}
    assert_error(http.post(consent_url(session["code"]), content=b"[" * 300_000, headers=headers), 413, "too_large")


def test_a_retry_after_expiry_still_gets_the_stored_answer(database: str) -> None:
    store = open_store(database)
    try:
        terms = load_terms()
        session = open_session(store,
            technician="Sam", ticket=None, join_url=ZOHO_LINK, provider="teamviewer", expires_in_minutes=5
        )
        record = make_record(session.code)
        first = record_consent(store, session.code, record, terms=terms)
        later = datetime.now(UTC) + timedelta(hours=1)
        assert record_consent(store, session.code, record, terms=terms, now=later) == first
    finally:
        store.close()


def test_reading_a_consent_needs_the_token_and_a_consent(server: EmbeddedServer, http: httpx.Client, session) -> None:
    assert_error(http.get(consent_url(session["code"])), 401, "unauthorized")
    assert_error(http.get(consent_url(session["code"]), headers=tech(server)), 404, "no_consent")
    assert_error(http.get(consent_url("100000000"), headers=tech(server)), 404, "unknown_code")


# --- pages and errors -------------------------------------------------------------------------


def test_join_page_shows_the_code_and_escapes_names(server: EmbeddedServer, http: httpx.Client) -> None:
    created = server.create_session(technician="<script>alert(1)</script>", ticket=None, join_url=ZOHO_LINK)
    response = http.get(f"/join/{created['code']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    code = created["code"]
    assert f"{code[:3]} {code[3:6]} {code[6:]}" in response.text
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert_error(http.get("/join/100000000", headers=JSON), 404, "unknown_code")


def test_demo_join_page(consent_server: EmbeddedServer) -> None:
    created = consent_server.create_session()
    assert created["join_url"] == f"{consent_server.base_url}/demo/join/{created['code']}"
    response = httpx.get(created["join_url"])
    assert response.status_code == 200
    assert "You have joined the demo session" in response.text


def test_demo_join_page_exists_only_in_demo_mode(database: str) -> None:
    with EmbeddedServer(database, demo=False) as production:
        code = production.create_session(join_url=ZOHO_LINK)["code"]
        assert_error(httpx.get(f"{production.base_url}/demo/join/{code}"), 404, "not_found")
        with pytest.raises(ValueError):
            production.create_session(join_url=None)


def test_framework_errors_are_json(http: httpx.Client) -> None:
    assert_error(http.get("/no/such/page"), 404, "not_found")
    assert_error(http.get("/api/v1/sessions/"), 404, "not_found")
    response = http.delete("/healthz")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


def test_unexpected_failures_are_json_without_a_traceback(database: str) -> None:
    with EmbeddedServer(database) as broken:
        broken.store.close()  # every query now fails inside the server
        response = httpx.get(f"{broken.base_url}/api/v1/sessions/123456789")
    assert_error(response, 500, "internal_error")
    assert not {"sqlite", "psycopg", "pool", "postgres"} & set(re.findall(r"[a-z]+", response.text.lower()))


def test_the_frameworks_own_validation_errors_are_json(tmp_path: Path) -> None:
    # FastAPI's own validation, before any store is asked: one engine is enough.
    app = create_app(ServerConfig.resolve(tmp_path / "c.sqlite3", token="t", environ={}))

    @app.get("/typed/{number}")
    async def typed(number: int) -> dict[str, int]:
        return {"number": number}

    async def ask() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get("/typed/seven")

    try:
        body = assert_error(asyncio.run(ask()), 422, "invalid_request")
    finally:
        app.state.store.close()
    assert body["message"].startswith("number:")


def test_answers_are_not_cached(http: httpx.Client, session: dict) -> None:
    assert http.get(f"/api/v1/sessions/{session['code']}").headers["cache-control"] == "no-store"


# --- codes ------------------------------------------------------------------------------------


def test_session_codes_are_nine_digits_without_a_leading_zero() -> None:
    codes = {new_session_code() for _ in range(2000)}
    assert all(re.fullmatch(r"[1-9][0-9]{8}", code) for code in codes)
    assert len(codes) > 1990


def test_references_avoid_look_alike_characters() -> None:
    references = [new_reference() for _ in range(2000)]
    assert all(REFERENCE.fullmatch(ref) for ref in references)
    assert not set("".join(references)) & set("0O1IL")


# --- embedded server --------------------------------------------------------------------------


def test_start_demo_server(tmp_path: Path) -> None:
    # The demo is the embedded engine by design: an SQLite file in a folder it removes.
    server, created = start_demo_server(tmp_path)
    base_url = server.base_url
    try:
        assert server.db_path == tmp_path / "demo-consents.sqlite3"
        assert created["join_url"] == f"{server.base_url}/demo/join/{created['code']}"
        assert created["customer_link"] == f"{server.base_url}/join/{created['code']}"
        answer = httpx.post(f"{server.base_url}{consent_url(created['code'])}", json=make_record(created["code"]))
        assert answer.status_code == 201
        assert "You have joined the demo session" in httpx.get(answer.json()["join_url"]).text
    finally:
        server.stop()
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/healthz")


def test_a_store_on_a_missing_folder_fails_with_one_line(tmp_path: Path) -> None:
    # About the SQLite file's folder; PostgreSQL's unreachable database: test_storage_engines.
    with pytest.raises(StoreError) as failure:
        EmbeddedServer(tmp_path / "missing" / "c.sqlite3").start()
    assert "missing" in str(failure.value) and "\n" not in str(failure.value)


# --- command line -----------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )


def test_cli_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "create-session" in result.stdout and "serve" in result.stdout


def test_cli_create_session_is_served(database: str) -> None:
    result = run_cli(
        "create-session", *location_args(database), "--join-url", ZOHO_LINK, "--technician", "Sam Carter",
        "--ticket", "PTX-9", "--provider", "zoho-assist", "--expires-in-minutes", "30",
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["customer_link"] == f"{load_brand().support_site}/join/{created['code']}"
    assert (created["join_url"], created["technician"], created["ticket"]) == (ZOHO_LINK, "Sam Carter", "PTX-9")
    with EmbeddedServer(database) as running:
        looked_up = httpx.get(f"{running.base_url}/api/v1/sessions/{created['code']}")
        assert looked_up.json()["technician"] == "Sam Carter"
        # The words the technician got offline are the ones the customer's launcher is shown.
        assert looked_up.json()["verification_words"] == created["verification_words"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--db", "{tmp}/missing/c.sqlite3", "--join-url", ZOHO_LINK], "missing"),
        (["--db", "{tmp}/c.sqlite3", "--join-url", "javascript:alert(1)"], "join_url"),
        (["--db", "{tmp}/c.sqlite3", "--join-url", ZOHO_LINK, "--public-url", "support.example"], "public URL"),
        (["--db", "{tmp}", "--join-url", ZOHO_LINK], "is a folder"),
        (["--db", "{tmp}/c.sqlite3"], "--join-url"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    result = run_cli("create-session", "--technician", "Sam", *(arg.format(tmp=tmp_path) for arg in args))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--db", "{tmp}/missing/c.sqlite3"], "missing"),
        (["--db", "{tmp}/c.sqlite3", "--public-url", "ftp://support.example"], "public URL"),
        (["--db", "{tmp}/c.sqlite3", "--port", "70000"], "--port"),
        (["--db", "{tmp}/c.sqlite3", "--port", "eighty"], "--port"),
        (["--db", "{tmp}/c.sqlite3", "--lookup-failures", "0"], "--lookup-failures"),
        (["--db", "{tmp}/c.sqlite3", "--lookup-window", "-5"], "--lookup-window"),
        (["--db", "{tmp}/c.sqlite3", "--token", "letmein"], "shorter than 24 characters"),
        (["--db", "{tmp}/c.sqlite3", "--token", "abababababababababababababab"], "fewer than 10 different"),
        (["--db", "{tmp}/c.sqlite3", "--trusted-proxy", "the-proxy"], "--trusted-proxy takes"),
    ],
)
def test_cli_serve_refuses_bad_settings_before_listening(tmp_path: Path, args: list[str], words: str) -> None:
    result = run_cli("serve", *(arg.format(tmp=tmp_path) for arg in args))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


STRONG_TOKEN = "from-env-Qm7xK2pV9sLw4RtZ8yNc"


def test_cli_serve_serves_with_the_token_from_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "PHONETEX_TECHNICIAN_TOKEN": STRONG_TOKEN}
    command = [sys.executable, "-m", "server", "serve", "--db", str(tmp_path / "c.sqlite3"), "--port", "0",
               "--public-url", "https://help.example"]
    with subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            # uvicorn names the port it was given by the system once it listens.
            for line in proc.stderr:
                if found := re.search(r"Uvicorn running on (http://\S+)", line):
                    break
            assert found, "the server never said it was listening"
            created = httpx.post(
                f"{found.group(1)}/api/v1/sessions",
                json={"technician": "Sam", "join_url": ZOHO_LINK},
                headers={"Authorization": f"Bearer {STRONG_TOKEN}"},
            )
            assert created.status_code == 201
            assert created.json()["customer_link"] == f"https://help.example/join/{created.json()['code']}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        assert "Technician token" not in proc.stdout.read()  # the operator chose it: nothing to show


def test_cli_serve_prints_a_token_it_made_up(tmp_path: Path, capsys, monkeypatch) -> None:
    import uvicorn

    from server.cli import main

    served = []
    monkeypatch.delenv("PHONETEX_TECHNICIAN_TOKEN", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app.state.config))
    assert main(["serve", "--db", str(tmp_path / "c.sqlite3"), "--port", "0"]) == 0
    [config] = served
    assert config.token_generated and len(config.technician_token) >= 32
    assert config.technician_token in capsys.readouterr().out


def test_cli_main_is_importable_for_the_script_entry_point(tmp_path: Path, capsys) -> None:
    from server.cli import main

    assert main(["create-session", "--db", str(tmp_path / "c.sqlite3"), "--join-url", ZOHO_LINK,
                 "--technician", "Sam", "--public-url", "https://help.example/"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["customer_link"] == f"https://help.example/join/{created['code']}"


# --- concurrency ------------------------------------------------------------------------------


def test_fifty_customers_at_once_lose_nothing(server: EmbeddedServer) -> None:
    # Posted together, these land in shared group-commit batches (server.domain.consent_writer): each must
    # still get the answer it would get alone, and a refusal must not undo its neighbours.
    codes = [server.create_session(join_url=ZOHO_LINK)["code"] for _ in range(50)]
    records = [make_record(code) for code in codes]
    # Ten more launchers retry the first customer's record at the same moment.
    posts = [(code, record) for code, record in zip(codes, records, strict=True)] + [(codes[0], records[0])] * 10
    # A different record for each of the last five sessions, racing their customers' own.
    rivals = [(code, make_record(code)) for code in codes[45:]]
    outdated = server.create_session(join_url=ZOHO_LINK)["code"]
    refused = [("100000000", make_record("100000000")), (outdated, make_record(outdated, terms__version="2019-01"))]
    posts += rivals + refused
    start = threading.Barrier(len(posts))

    def post(code_and_record: tuple[str, dict]) -> httpx.Response:
        code, record = code_and_record
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            start.wait(timeout=30)
            return client.post(consent_url(code), json=record)

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        answers = list(pool.map(post, posts))

    assert [a.status_code for a in answers[:45] + answers[50:60]] == [201] * 55
    first_customer = [answers[0], *answers[50:60]]
    assert len({a.content for a in first_customer}) == 1
    # Of each pair racing for one session, exactly one is recorded and the other is told why.
    winners = {}
    for own, rival, code in zip(answers[45:50], answers[60:65], codes[45:], strict=True):
        assert sorted([own.status_code, rival.status_code]) == [201, 409]
        loser = rival if rival.status_code == 409 else own
        assert loser.json()["error"] == "already_consented"
        winners[code] = (own if own.status_code == 201 else rival).json()["receipt"]["receipt_id"]
    assert_error(answers[65], 404, "unknown_code")
    assert_error(answers[66], 409, "terms_outdated")
    accepted = [a for a in answers if a.status_code == 201]
    assert len({a.json()["reference"] for a in accepted}) == 50
    placeholders = ",".join("?" * len(codes))
    rows = select(server.database, f"SELECT session_code, receipt_id FROM consents WHERE session_code IN ({placeholders})", codes)
    statuses = select(server.database, f"SELECT DISTINCT status FROM sessions WHERE code IN ({placeholders})", codes)
    [outdated_status] = select(server.database, "SELECT status FROM sessions WHERE code = ?", (outdated,))
    expected = {code: record["receipt_id"] for code, record in zip(codes[:45], records[:45], strict=True)} | winners
    assert dict(rows) == expected and len(rows) == 50
    assert statuses == [("consented",)]
    assert outdated_status == ("open",)


# --- verification words -----------------------------------------------------------------------


def test_each_session_gets_three_different_words_of_the_public_list(server: EmbeddedServer) -> None:
    words = [tuple(server.create_session(join_url=ZOHO_LINK)["verification_words"]) for _ in range(40)]
    assert all(len(set(w)) == 3 and set(w) <= set(word_list()) for w in words)
    # Derived per session: forty sessions do not share one set of words.
    assert len(set(words)) > 35


def test_the_words_survive_a_restart_and_differ_between_servers(database: str, tmp_path: Path) -> None:
    with EmbeddedServer(database) as first:
        created = first.create_session(join_url=ZOHO_LINK)
    with EmbeddedServer(database) as again:
        looked_up = httpx.get(f"{again.base_url}/api/v1/sessions/{created['code']}").json()
    assert looked_up["verification_words"] == created["verification_words"]
    # Another server has another secret: knowing a code and the list is not enough to say the words.
    with SqliteStore(tmp_path / "b.sqlite3") as other, open_store(database) as first_again:
        assert words_secret(other) != words_secret(first_again)


def test_the_words_are_the_hmac_of_the_code_with_the_servers_secret(server: EmbeddedServer) -> None:
    created = server.create_session(join_url=ZOHO_LINK)
    assert tuple(created["verification_words"]) == derive_words(words_secret(server.store), created["code"])


# --- wrong codes per client address ------------------------------------------------------------


@pytest.fixture
def strict_server(database: str):
    with EmbeddedServer(database, lookup_limit=LookupLimit(max_failures=3, window_seconds=120)) as running:
        yield running


def test_too_many_wrong_codes_get_429_with_when_to_retry(strict_server: EmbeddedServer) -> None:
    real = strict_server.create_session(join_url=ZOHO_LINK)["code"]
    with httpx.Client(base_url=strict_server.base_url, timeout=10) as client:
        for wrong in ("100000001", "100000002", "100000003"):
            assert_error(client.get(f"/api/v1/sessions/{wrong}"), 404, "unknown_code")
        limited = client.get("/api/v1/sessions/100000004")
        body = assert_error(limited, 429, "too_many_attempts")
        assert 1 <= body["retry_after"] <= 120
        assert limited.headers["retry-after"] == str(body["retry_after"])
        assert "2 minutes" in body["message"]
        # While limited, a right code gets no answer either, on every page that tells codes apart.
        assert_error(client.get(f"/api/v1/sessions/{real}"), 429, "too_many_attempts")
        assert_error(client.post(consent_url(real), json=make_record(real)), 429, "too_many_attempts")
        assert_error(client.get(f"/join/{real}", headers=JSON), 429, "too_many_attempts")
        assert_error(client.get(f"/demo/join/{real}"), 429, "too_many_attempts")
        # The technician's own calls are not customer look-ups.
        assert client.post(
            "/api/v1/sessions", json={"technician": "Sam", "join_url": ZOHO_LINK}, headers=tech(strict_server)
        ).status_code == 201


@pytest.mark.parametrize("walk", ["consent", "join page", "expired"])
def test_every_way_of_trying_codes_counts(strict_server: EmbeddedServer, walk: str) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    with httpx.Client(base_url=strict_server.base_url, timeout=10) as client:
        for number in range(3):
            code = f"10000000{number}"
            if walk == "consent":
                assert_error(client.post(consent_url(code), json=make_record(code)), 404, "unknown_code")
            elif walk == "join page":
                assert_error(client.get(f"/join/{code}", headers=JSON), 404, "unknown_code")
            else:
                expired = open_session(strict_server.store,
                    technician="Sam", ticket=None, join_url=ZOHO_LINK, provider="zoho-assist",
                    expires_in_minutes=60, now=long_ago,
                )
                assert_error(client.get(f"/api/v1/sessions/{expired.code}"), 410, "expired")
        assert_error(client.get("/api/v1/sessions/100000009"), 429, "too_many_attempts")


def test_right_codes_and_malformed_ones_do_not_count(strict_server: EmbeddedServer) -> None:
    real = strict_server.create_session(join_url=ZOHO_LINK)["code"]
    with httpx.Client(base_url=strict_server.base_url, timeout=10) as client:
        for _ in range(5):
            assert client.get(f"/api/v1/sessions/{real}").status_code == 200
            assert_error(client.get("/api/v1/sessions/12345"), 422, "invalid_code")
        assert client.get(f"/api/v1/sessions/{real}").status_code == 200


def test_lookup_limits_must_be_positive() -> None:
    for bad in ({"max_failures": 0}, {"window_seconds": 0}, {"max_clients": 0}, {"prefix_max_failures": 0}):
        with pytest.raises(ValueError):
            LookupLimit(**bad)
