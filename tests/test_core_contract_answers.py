"""The launcher reads every answer strictly with the wire contract: an answer that breaks it is
refused with the launcher's own readable message, and nothing from it is used."""

from __future__ import annotations

import copy
import logging

import httpx
import pytest

from app.core.consent_client import ConsentClient, ServerError
from app.core.consent_record import ConsentRecord
from testbed.consent_records import make_record

CODE = "482913557"
UNREADABLE = "Phonetex's server sent an answer this launcher cannot read, so nothing from it was used."
SESSION = {
    "code": CODE,
    "company": "Phonetex",
    "technician": "Sam Carter",
    "ticket": "PTX-1042",
    "expires_at": "2030-01-01T00:00:00Z",
    "status": "open",
    "verification_words": ["hammer", "jungle", "turtle"],
}
RECORD = make_record(CODE)
CONSENT = {
    "reference": "K7P-4QX",
    "receipt": {**RECORD, "received_at": "2026-12-01T08:15:42Z"},
    "join_url": "https://assist.zoho.com/join?role=A&key=123456789",
    "provider": "zoho-assist",
}


def changed(answer: dict, path: str, value=None, *, remove: bool = False) -> dict:
    answer = copy.deepcopy(answer)
    *parents, leaf = path.split(".")
    target = answer
    for parent in parents:
        target = target[parent]
    if remove:
        del target[leaf]
    else:
        target[leaf] = value
    return answer


def client_answering(status: int, body) -> ConsentClient:
    return ConsentClient(
        "https://support.phonetex.example", transport=httpx.MockTransport(lambda r: httpx.Response(status, json=body))
    )


def test_answers_that_keep_the_contract_are_taken() -> None:
    session = client_answering(200, SESSION).lookup_session(CODE)
    assert session.ticket == "PTX-1042" and session.verification_words == ("hammer", "jungle", "turtle")
    answer = client_answering(201, CONSENT).send_consent(ConsentRecord.from_dict(RECORD))
    assert answer.reference == "K7P-4QX"
    assert answer.receipt.received_at == "2026-12-01T08:15:42Z"
    assert answer.receipt.record == ConsentRecord.from_dict(RECORD)


@pytest.mark.parametrize(
    "answer, field",
    [
        (changed(SESSION, "technician", 42), "technician must be text"),
        (changed(SESSION, "ticket", ["PTX"]), "ticket must be text"),
        (changed(SESSION, "status", True), "status must be one of"),
        (changed(SESSION, "company", remove=True), "missing: company"),
        (changed(SESSION, "phone", "0900 123 456"), "'phone'"),
        (changed(SESSION, "technician", "S" * 5000), "technician is longer than 120"),
        (changed(SESSION, "technician", "Sam\u202eCarter"), "technician contains characters that reorder"),
        (changed(SESSION, "technician", "\u200b\u200b"), "technician has nothing visible"),
        (changed(SESSION, "expires_at", "tomorrow"), "expires_at must be a UTC time"),
        (changed(SESSION, "code", "123456789"), "another session"),
        (changed(SESSION, "verification_words", ["call", "this", "number"]), "verification_words"),
        (["not", "an", "object"], "must be an object"),
    ],
)
def test_a_session_answer_that_breaks_the_contract_is_refused(answer, field, caplog) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(ServerError) as refused:
        client_answering(200, answer).lookup_session(CODE)
    assert str(refused.value).startswith(UNREADABLE)
    assert "tell your technician" in str(refused.value)
    assert "0900" not in str(refused.value)
    # Which field and why is in the log, for whoever helps the customer; never on the screen.
    assert field in caplog.text


@pytest.mark.parametrize(
    "answer, field",
    [
        (changed(CONSENT, "reference", "K" * 5000), "reference must be a reference like K7P-4QX"),
        (changed(CONSENT, "reference", 7), "reference must be text"),
        (changed(CONSENT, "reference", "CALL-US"), "reference must be a reference"),
        (changed(CONSENT, "join_url", remove=True), "missing: join_url"),
        (changed(CONSENT, "provider", "anydesk"), "provider must be one of"),
        (changed(CONSENT, "receipt.received_at", remove=True), "receipt is missing: received_at"),
        (changed(CONSENT, "receipt.name", "Mallory"), "not the record that was sent"),
        (changed(CONSENT, "receipt.backup.age_seconds", 10**4000), "receipt.backup.age_seconds must be from 0"),
        (changed(CONSENT, "receipt.open_apps.left_open", [{"name": "Firefox", "category": "browser", "pid": 1}]),
         "receipt.open_apps.left_open[0] has fields the contract does not allow: 'pid'"),
        (changed(CONSENT, "message", "Call 0900 123 456 now."), "'message'"),
    ],
)
def test_a_consent_answer_that_breaks_the_contract_is_refused(answer, field, caplog) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(ServerError) as refused:
        client_answering(201, answer).send_consent(ConsentRecord.from_dict(RECORD))
    assert str(refused.value).startswith(UNREADABLE)
    assert "0900" not in str(refused.value) and "K" * 50 not in str(refused.value)
    assert field in caplog.text


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(403, html="<html><h1>Access denied by Contoso WebGuard</h1>Call 0900 123 456</html>"),
        httpx.Response(404, text="Not found"),
        httpx.Response(410, json={"status": "gone"}),
        httpx.Response(400, json={"error": 17, "message": ["x"]}),
        httpx.Response(400, content=b"[" * 5000 + b"]" * 5000, headers={"Content-Type": "application/json"}),
        httpx.Response(400, content=b'{"error": "expired", "error": "unknown_code", "message": "x"}'),
    ],
)
def test_a_refusal_off_the_contract_gets_the_launchers_general_message(response) -> None:
    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(lambda r: response))
    with pytest.raises(ServerError) as refused:
        client.lookup_session(CODE)
    assert str(refused.value) == (
        f"Phonetex's server refused the request (error {response.status_code}). Please tell your technician."
    )
    assert refused.value.error == ""


def test_a_redirect_is_not_followed_and_says_why() -> None:
    followed = []

    def answer(request: httpx.Request) -> httpx.Response:
        followed.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://evil.example/login"})

    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(answer))
    with pytest.raises(ServerError) as refused:
        client.lookup_session(CODE)
    assert "sent this launcher to another address (error 302)" in str(refused.value)
    assert followed == [f"https://support.phonetex.example/api/v1/sessions/{CODE}"]


def test_a_deeply_nested_success_is_unreadable_not_a_crash() -> None:
    client = ConsentClient(
        "https://support.phonetex.example",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"[" * 100_000)),
    )
    with pytest.raises(ServerError) as refused:
        client.lookup_session(CODE)
    assert str(refused.value).startswith(UNREADABLE)
