"""Ending support: the launcher reports it by receipt id; the consent's status becomes withdrawn
(End support now) or ended (the provider's program ended by itself). On both storage engines
through the domain, and over HTTP against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.core.terms import load_terms
from server.domain.consents import record_consent
from server.domain.refusals import InvalidRequest, NoConsent
from server.domain.sessions import open_session
from server.domain.withdrawals import parse_withdrawal, record_withdrawal
from server.embedded import EmbeddedServer
from server.storage import Store, open_store
from testbed.consent_records import make_record

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
TERMS = load_terms()
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    with open_store(database) as opened:
        yield opened


def consented(store: Store) -> tuple[str, str]:
    """A session with a recorded consent: its code and the consent's receipt id."""
    code = open_session(
        store, technician="Sam Carter", ticket=None, join_url=ZOHO_LINK, provider="zoho-assist", expires_in_minutes=30
    ).code
    record = make_record(code)
    record_consent(store, code, record, terms=TERMS)
    return code, record["receipt_id"]


def test_end_support_now_withdraws_the_consent_and_a_repeat_gets_the_first_answer(store: Store) -> None:
    code, receipt_id = consented(store)
    first = record_withdrawal(store, receipt_id, "customer", now=NOW)
    assert first["status"] == "withdrawn" and first["reason"] == "customer"
    assert first["withdrawn_at"] == "2026-12-01T09:30:00Z"
    assert first["reference"] == json.loads(store.consent_for_session(code).answer_json)["reference"]
    # The retry a minute later, and the program's end reported after it, change nothing.
    assert record_withdrawal(store, receipt_id, "customer", now=NOW + timedelta(minutes=1)) == first
    assert record_withdrawal(store, receipt_id, "program_ended", now=NOW + timedelta(minutes=2)) == first
    stored = store.withdrawal(receipt_id)
    assert (stored.withdrawn_at, stored.reason) == ("2026-12-01T09:30:00Z", "customer")


def test_a_program_that_ended_by_itself_marks_the_consent_ended(store: Store) -> None:
    _code, receipt_id = consented(store)
    answer = record_withdrawal(store, receipt_id, "program_ended", now=NOW)
    assert (answer["status"], answer["reason"]) == ("ended", "program_ended")


def test_an_unknown_receipt_id_is_no_consent_and_stores_nothing(store: Store) -> None:
    consented(store)
    stranger = "0f8fad5b-d9cb-469f-a165-70867728950e"
    with pytest.raises(NoConsent):
        record_withdrawal(store, stranger, "customer")
    assert store.withdrawal(stranger) is None


@pytest.mark.parametrize(
    ("receipt_id", "body"),
    [
        ("not-a-uuid", {"reason": "customer"}),
        ("0F8FAD5B-D9CB-469F-A165-70867728950E", {"reason": "customer"}),  # not the canonical form
        ("0f8fad5b-d9cb-469f-a165-70867728950e", {"reason": "bored"}),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", {}),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", {"reason": "customer", "extra": 1}),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", ["customer"]),
    ],
)
def test_a_malformed_withdrawal_is_refused_with_what_is_off(receipt_id: str, body: object) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_withdrawal(receipt_id, body)
    assert refused.value.message.endswith(".")


def test_over_http_the_launcher_withdraws_by_receipt_id(engine_server: EmbeddedServer) -> None:
    code = engine_server.create_session(join_url=ZOHO_LINK)["code"]
    record = make_record(code)
    with httpx.Client(base_url=engine_server.base_url) as client:
        given = client.post(f"/api/v1/sessions/{code}/consent", json=record)
        assert given.status_code == 201
        url = f"/api/v1/consents/{record['receipt_id']}/withdrawal"
        first = client.post(url, json={"reason": "customer"})
        again = client.post(url, json={"reason": "customer"})
        unknown = client.post("/api/v1/consents/0f8fad5b-d9cb-469f-a165-70867728950e/withdrawal", json={"reason": "customer"})
        malformed = client.post(url, json={"reason": "later"})
    assert first.status_code == 200 and again.json() == first.json()
    assert first.json()["status"] == "withdrawn" and first.json()["reference"] == given.json()["reference"]
    assert (unknown.status_code, unknown.json()["error"]) == (404, "no_consent")
    assert (malformed.status_code, malformed.json()["error"]) == (422, "invalid_request")
    assert engine_server.store.withdrawal(record["receipt_id"]).reason == "customer"
