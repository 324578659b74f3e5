"""uvicorn's HTTP protocol with the limits a server on the internet needs (issue 11).

uvicorn with httptools takes in a request head of any size (a 50 MiB header was accepted, and
eight such connections took the server from 51 to 462 MiB), waits for a slowly sent head for
ever, and answers its own errors as plain text. This subclass feeds the parser no more than the
head limit before the head is complete, bounds the time a head may take to arrive and the number
of open connections, and answers each of those refusals, and a request the parser cannot read,
as JSON like every other error of the server.
"""

from __future__ import annotations

import asyncio
import functools
import http
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.core.contract import ERROR
from server.config import TransportLimits

# After a refusal the answer is sent and our side of the connection shut (FIN), and what the
# client still sends is read and dropped for a while before closing: closing at once with its
# data unread makes the kernel send a reset, which can destroy the answer before the client
# reads it (RFC 9112, section 9.6). A client that goes on sending more than a browser would
# after a refused head (the rest of its request) is cut off sooner.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


def json_refusal(status: int, word: str, message: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A whole HTTP/1.1 answer in the server's JSON error form, closing the connection."""
    body = json.dumps(ERROR.parse({"error": word, "message": message}), separators=(",", ":")).encode()
    head = [b"HTTP/1.1 %d %s\r\n" % (status, http.HTTPStatus(status).phrase.encode())]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head.append(
        b"content-type: application/json\r\ncontent-length: %d\r\ncache-control: no-store\r\n"
        b"connection: close\r\n\r\n" % len(body)
    )
    return b"".join(head) + body


class GuardedHttpTools(HttpToolsProtocol):
    def __init__(self, *args: Any, limits: TransportLimits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or TransportLimits()
        self._in_head = True  # the parser is between requests or inside a request's head
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._dropped = 0
        self._linger: asyncio.TimerHandle | None = None

    # --- connections ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse(503, "server_busy", "The consent server is busy. Please try again in a moment.")
            return
        self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    # --- the request head -------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused:  # a refused client's remaining bytes are dropped, never parsed or kept
            self._dropped += len(data)
            if self._dropped > LINGER_BYTES:
                self.transport.close()
            return
        # While a head is incomplete the parser gets at most what the limit leaves: httptools
        # keeps a header's text until its end, so this bounds what one connection holds.
        while self._in_head and data:
            room = self.limits.max_head_bytes - self._head_bytes
            if room <= 0:
                self._refuse(
                    431,
                    "request_header_too_large",
                    f"The request's line and headers are larger than {self.limits.max_head_bytes} bytes.",
                )
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)
            if self._refused or self.transport.is_closing():
                return
        if data:
            super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0  # what follows is the next request's head

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # its head has arrived already
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._wait_for_head()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "bad_request", "The request is not valid HTTP/1.1.")

    def _wait_for_head(self) -> None:
        self._stop_head_timer()
        self._head_timer = self.loop.call_later(self.limits.head_seconds, self._head_too_slow)

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self._head_bytes == 0:
            self.transport.close()  # an idle connection: nobody is waiting for an answer on it
            return
        self._refuse(408, "request_timeout", f"The request's headers took longer than {self.limits.head_seconds:g} s.")

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: int, word: str, message: str) -> None:
        self._stop_head_timer()
        self._refused = True
        if self.transport.is_closing():
            return
        self.logger.info("Refused a connection from %s: %d %s", self.client, status, word)
        self.transport.write(json_refusal(status, word, message, self.server_state.default_headers))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


def guarded_http(limits: TransportLimits) -> Any:
    """The protocol for uvicorn's ``http=`` setting. A partial of the class, not a class made
    here: ``serve --workers`` sends uvicorn's settings to each worker process by pickling them."""
    return functools.partial(GuardedHttpTools, limits=limits)
