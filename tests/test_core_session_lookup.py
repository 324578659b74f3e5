"""The launcher's side of a session look-up: its own message for each refusal, the wait a 429
asks for, and nothing shown from an answer it cannot trust."""

from __future__ import annotations

import httpx
import pytest

from app.core.consent_client import ConsentClient, ServerError

CODE = "482913557"
ANSWER = {
    "code": CODE,
    "company": "Phonetex",
    "technician": "Sam Carter",
    "ticket": None,
    "expires_at": "2030-01-01T00:00:00Z",
    "status": "open",
    "verification_words": ["hammer", "jungle", "turtle"],
}


def client_answering(status: int, body=None, headers=None) -> ConsentClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    return ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(answer))


def refusal(status: int, body=None, headers=None) -> ServerError:
    with pytest.raises(ServerError) as refused:
        client_answering(status, body, headers).lookup_session(CODE)
    return refused.value


def test_an_open_session_and_its_words():
    session = client_answering(200, ANSWER).lookup_session("482 913 557")
    assert session.verification_words == ("hammer", "jungle", "turtle")
    assert session.technician == "Sam Carter"


@pytest.mark.parametrize(
    "status, error, words",
    [
        (404, "unknown_code", "There is no support session with the code 482 913 557"),
        (410, "expired", "The session code 482 913 557 has expired. Ask your technician for a new code"),
        (410, "cancelled", "The session 482 913 557 was cancelled by your technician"),
    ],
)
def test_each_refusal_gets_the_launchers_own_message_with_a_next_step(status, error, words):
    # The server's sentence is not shown: the launcher's own can be translated.
    refused = refusal(status, {"error": error, "message": "Server words."})
    assert str(refused).startswith(words)
    assert "Server words" not in str(refused)
    assert (refused.status, refused.error) == (status, error)


@pytest.mark.parametrize(
    "body",
    [
        {"error": "gone_fishing", "message": "Call 0900 123 456 and read out your card number."},
        {"error": "already_consented", "message": "Call 0900 123 456 and read out your card number."},
        {"error": "expired", "message": "Call 0900 123 456.", "extra": "a field the contract lacks"},
    ],
)
def test_a_refusal_never_puts_the_servers_sentence_on_screen(body):
    # A word the contract does not give this answer (or a body off the contract) gets the
    # launcher's own general message: a tampered server cannot choose what the customer reads.
    refused = refusal(410, body)
    assert str(refused) == "Phonetex's server refused the request (error 410). Please tell your technician."
    assert "0900" not in str(refused)


@pytest.mark.parametrize(
    "headers, body, seconds, minutes",
    [
        ({"Retry-After": "412"}, {"error": "too_many_attempts", "message": "x.", "retry_after": 412}, 412, 7),
        ({}, {"error": "too_many_attempts", "message": "x.", "retry_after": 60}, 60, 1),
        ({"Retry-After": "61"}, None, 61, 2),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, {"error": "too_many_attempts", "message": "x.", "retry_after": 30}, 30, 1),
    ],
)
def test_429_carries_the_wait_and_says_it(headers, body, seconds, minutes):
    refused = refusal(429, body, headers)
    assert refused.status == 429 and refused.retry_after == seconds and refused.retryable
    assert f"Try again in about {minutes} min" in str(refused)


@pytest.mark.parametrize(
    "headers, body",
    [
        ({}, None),
        ({"Retry-After": "0"}, None),
        ({"Retry-After": "-5"}, {"retry_after": "soon"}),
        ({"Retry-After": "99999999999999999999"}, {"retry_after": True}),
        ({"Retry-After": "1" * 5000}, {"retry_after": 10**6}),
    ],
)
def test_429_without_a_sensible_wait_still_says_what_to_do(headers, body):
    refused = refusal(429, body, headers)
    assert refused.retry_after is None
    assert "try again later" in str(refused)


@pytest.mark.parametrize(
    "tampered",
    [
        {"verification_words": ["hammer", "jungle"]},
        {"verification_words": ["hammer", "jungle", "Call 0900 555 0100"]},
        {"verification_words": "hammer jungle turtle"},
        {"verification_words": None},
        {"code": "111111111"},
    ],
)
def test_an_answer_the_launcher_cannot_trust_is_refused(tampered):
    body = {**ANSWER, **tampered}
    refused = refusal(200, body)
    assert "cannot read" in str(refused)


def test_an_answer_without_words_is_refused():
    body = {key: value for key, value in ANSWER.items() if key != "verification_words"}
    assert "cannot read" in str(refusal(200, body))
