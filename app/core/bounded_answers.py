"""Reading a server's answer without trusting it: a whole-request deadline, a size limit that
holds after decompression, and JSON that cannot blow the stack or hide a second value of a key.

The consent server is Phonetex's own, but the launcher talks to it across networks, proxies and
captive portals, and a server can be tampered with: nothing in an answer may hang the launcher,
fill its memory or crash it.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from app.core.strict_json import NotStrictJSON, loads_strict

# The largest honest answer is a consent receipt with 200 applications on each list (~60 KiB).
MAX_ANSWER_BYTES = 512 * 1024

T = TypeVar("T")


class AnswerRefused(Exception):
    """The answer cannot be used; ``reason`` is for the log, never for the customer's screen."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeadlinePassed(Exception):
    """The whole request took longer than its deadline."""


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: httpx.Headers
    body: bytes


def _decoder(encoding: str) -> Callable[[bytes, int], bytes] | None:
    """A bounded decoder for ``Content-Encoding``: each call inflates at most the given number of
    bytes, so a small bomb cannot expand in memory before the size limit sees it."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(wbits=47)  # gzip or zlib, told apart by their headers

        def inflate(chunk: bytes, room: int) -> bytes:
            # max_length must stay positive (0 means "no limit"): room + 1 - len(out) >= 1 here.
            out = bytearray(inflater.decompress(chunk, room + 1))
            while inflater.unconsumed_tail and len(out) <= room:
                out += inflater.decompress(inflater.unconsumed_tail, room + 1 - len(out))
            return bytes(out)

        return inflate
    raise AnswerRefused(f"the answer is encoded as {encoding[:20]!r}, which the launcher does not read")


def read_bounded(response: httpx.Response, deadline: float, max_bytes: int = MAX_ANSWER_BYTES) -> bytes:
    """The body of a streamed ``response``, decoded, refusing more than ``max_bytes`` and any
    wait past ``deadline`` (a ``time.monotonic()`` value)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise AnswerRefused(f"the answer declares {declared} bytes")
    if response.is_stream_consumed:
        # An answer built in memory (httpx.MockTransport in tests) was read when it was made.
        if len(response.content) > max_bytes:
            raise AnswerRefused(f"the answer is larger than {max_bytes} bytes")
        return response.content
    decode = _decoder(response.headers.get("content-encoding", "").strip().lower())
    body = bytearray()
    for chunk in response.iter_raw():
        if time.monotonic() > deadline:
            raise DeadlinePassed()
        try:
            data = chunk if decode is None else decode(chunk, max_bytes - len(body))
        except zlib.error:
            raise AnswerRefused("the answer's compression is broken") from None
        body += data
        if len(body) > max_bytes:
            raise AnswerRefused(f"the answer is larger than {max_bytes} bytes")
    return bytes(body)


def strict_json(body: bytes) -> Any:
    """``body`` as JSON, or :class:`AnswerRefused` (see :func:`app.core.strict_json.loads_strict`)."""
    try:
        return loads_strict(body)
    except NotStrictJSON as error:
        raise AnswerRefused(str(error)) from None


def within_deadline(work: Callable[[], T], seconds: float) -> T:
    """``work()``'s result, or :class:`DeadlinePassed` once ``seconds`` have gone by.

    httpx's timeouts bound each read, not the whole exchange: a server that trickles one byte a
    second would hold a request for ever. The work runs on a thread of its own that is left to
    end by itself (its next read fails or times out); the caller has its answer on time.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as error:  # noqa: BLE001 - handed to the caller, who raises it
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=run, name="consent-request", daemon=True).start()
    if not done.wait(seconds):
        raise DeadlinePassed()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
