"""The HTTP layer of the real server process (``python -m server serve``) under abuse (issue 11):
a request head's size and the time it may take, the number of open connections, and the
answers the HTTP layer gives itself (JSON, ``Connection: close``, read before the close)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from testbed.server_processes import ServerProcess, served

MiB = 1024 * 1024


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _until_closed(sock: socket.socket, seconds: float = 10) -> bytes:
    """Everything the server sends until it closes its side (or the deadline passes)."""
    received = b""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        received += chunk
    return received


def _json_refusal(raw: bytes) -> tuple[int, str, str]:
    """(status, error word, message) of a JSON answer that closes the connection."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"] == "application/json", head
    assert headers["connection"] == "close", head
    assert int(headers["content-length"]) == len(body), head
    data = json.loads(body)
    return int(lines[0].split(" ")[1]), data["error"], data["message"]


def _wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.02)


def _healthy(server) -> bool:
    try:
        return httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """One server for the tests that do not change its limits: the default head size, and a
    head timeout of 1 s so that the slow-head test is quick."""
    with served(tmp_path_factory.mktemp("http-limits"), "--header-timeout", "1") as process:
        yield process


def test_a_header_past_the_limit_is_refused_before_the_head_ends(server: ServerProcess) -> None:
    with socket.create_connection((server.host, server.port)) as sock:
        # 20 KiB of one header and no end of the head: the answer must not wait for one.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20480)
        status, word, message = _json_refusal(_until_closed(sock))
    assert (status, word) == (431, "request_header_too_large") and "16384 bytes" in message
    # A head just within the default limit is served.
    answer = httpx.get(f"{server.base_url}/healthz", headers={"X-Padding": "a" * 16000})
    assert answer.status_code == 200


def test_eight_50_mib_headers_leave_the_server_s_memory_as_it_was(server: ServerProcess) -> None:
    assert _healthy(server)
    before = _rss_kib(server.process.pid)
    closed_early = answered = most_sent = 0
    for _ in range(8):
        with socket.create_connection((server.host, server.port)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ")
            sent = 0
            try:
                while sent < 50 * MiB:  # 50 MiB of one header, while the server drops it
                    sock.sendall(b"a" * 65536)
                    sent += 65536
            except (BrokenPipeError, ConnectionResetError):
                closed_early += 1
            most_sent = max(most_sent, sent)
            answer = _until_closed(sock)
            if answer:  # a client that goes on sending after the refusal may lose it to the reset
                assert _json_refusal(answer)[:2] == (431, "request_header_too_large")
                answered += 1
    grown = _rss_kib(server.process.pid) - before
    assert _healthy(server)  # and it goes on serving
    # Without the limit the server grew by 51 MiB per connection (issue 11: 51 to 462 MiB).
    print(f"RSS {before} KiB, +{grown} KiB; {closed_early}/8 cut off after {most_sent // 1024} KiB; {answered} answers read")
    assert grown < 8 * 1024, f"the server grew by {grown} KiB over eight 50 MiB headers"
    # It stopped reading long before 50 MiB: each sender was cut off (after the 431 and a short linger).
    assert closed_early == 8, f"{closed_early} of 8 were cut off"


def test_a_slowly_sent_header_is_cut_off_with_a_408(server: ServerProcess) -> None:
    with socket.create_connection((server.host, server.port)) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        raw = b""
        # A byte every 0.1 s: each one arrives well within any per-read timeout.
        while not raw and time.monotonic() - started < 10:
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.settimeout(0.1)
            try:
                raw = sock.recv(65536)
            except TimeoutError:
                continue
        elapsed = time.monotonic() - started
        raw += _until_closed(sock)
    assert _json_refusal(raw)[:2] == (408, "request_timeout")
    assert 0.9 < elapsed < 5, elapsed
    with socket.create_connection((server.host, server.port)) as idle:
        # A connection that never sends is closed after the same time, with no answer nobody asked for.
        assert _until_closed(idle) == b""


def test_connections_beyond_the_bound_get_a_json_503_and_the_server_recovers(tmp_path) -> None:
    with served(tmp_path, "--max-connections", "5") as server:
        held = [socket.create_connection((server.host, server.port)) for _ in range(5)]
        try:
            # The held ones must be accepted (counted) before the extra one is tried.
            for sock in held:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                sock.settimeout(10)
                assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            with socket.create_connection((server.host, server.port)) as extra:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                assert _json_refusal(_until_closed(extra))[:2] == (503, "server_busy")
        finally:
            for sock in held:
                sock.close()
        _wait_until(lambda: _healthy(server))  # once they are gone, new ones are served again


def test_a_request_the_parser_cannot_read_gets_json_and_the_log_has_no_traceback(server: ServerProcess) -> None:
    bad_requests = [
        b"GET /healthz HTTP/1.1\r\nHost x\r\nBad Header Line\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello sent to the plain port
    ]
    for raw in bad_requests:
        with socket.create_connection((server.host, server.port)) as sock:
            sock.sendall(raw)
            status, word, message = _json_refusal(_until_closed(sock))
        assert (status, word) == (400, "bad_request") and message, raw
    assert _healthy(server)
    assert "Traceback" not in server.log.read_text(errors="replace")


def _exchange(sock: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request and its answer on a connection that stays open (the answer has a length)."""
    sock.sendall(request)
    sock.settimeout(10)
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection after {raw!r}"
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection inside an answer"
        body += chunk
    return int(lines[0].split(" ")[1]), headers, body


def test_the_connection_stays_usable_after_a_4xx_from_the_server(server: ServerProcess) -> None:
    def post(path: str, content_type: str, body: bytes) -> bytes:
        return (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    consent = "/api/v1/sessions/123456789/consent"
    requests = [
        (b"GET /api/v1/sessions/123456789 HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"GET /api/v1/sessions/12345 HTTP/1.1\r\nHost: x\r\n\r\n", 422),
        (post(consent, "text/plain", b"{}"), 415),
        (post(consent, "application/json", b"[" * 1000 + b"]" * 1000), 422),
        (b"DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    ]
    with socket.create_connection((server.host, server.port)) as sock:
        for request, expected in requests:
            status, headers, body = _exchange(sock, request)
            assert status == expected and json.loads(body)["error"], body
            assert headers.get("connection") != "close"
        assert _exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200  # the same connection
