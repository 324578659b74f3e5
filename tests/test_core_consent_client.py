"""The consent-server client: readable failures, and nothing done on the GUI thread before it is needed."""

import threading

import httpx
import pytest

from app.core.consent_client import ConsentClient, ServerError


def test_making_a_client_does_no_network_or_certificate_work(monkeypatch):
    made = []
    real_client = httpx.Client

    def spy(*args, **kwargs):
        made.append(threading.current_thread().name)
        return real_client(*args, **kwargs)

    monkeypatch.setattr(httpx, "Client", spy)
    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    assert made == []  # built on the GUI thread at start-up: nothing loaded yet

    def look_up():
        with pytest.raises(ServerError):
            client.lookup_session("482913557")

    worker = threading.Thread(target=look_up, name="worker")
    worker.start()
    worker.join()
    assert made == ["worker"]
    client.close()


@pytest.mark.parametrize(
    "answer, words",
    [
        (httpx.Response(500, text="<html>oops</html>"), "had a problem"),
        (httpx.Response(200, text="not json"), "cannot read"),
        (httpx.Response(400, json={"error": "odd", "message": "Call 0900 123 and read out your card."}), "refused the request (error 400)"),
    ],
)
def test_server_failures_become_sentences_for_the_customer(answer, words):
    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(lambda r: answer))
    with pytest.raises(ServerError) as failure:
        client.lookup_session("482913557")
    assert words in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert "card" not in str(failure.value)


def test_an_unreachable_server_is_named_as_such():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(refuse))
    with pytest.raises(ServerError) as failure:
        client.lookup_session("482 913 557")
    assert "could not be reached" in str(failure.value)
    assert failure.value.retryable


def test_a_server_that_timed_out_the_request_is_worth_a_retry():
    """408: the server gave up on headers that came too slowly (a slow network), not a refusal."""
    timed_out = httpx.Response(408, json={"error": "request_timeout", "message": "Request header timeout."})
    client = ConsentClient("https://support.phonetex.example", transport=httpx.MockTransport(lambda r: timed_out))
    with pytest.raises(ServerError) as caught:
        client.lookup_session("482913557")
    assert caught.value.retryable
    assert caught.value.failure == ServerError.NO_ANSWER
    assert "did not answer in time" in str(caught.value.message.template) and "press Retry" in caught.value.message.template
    client.close()
