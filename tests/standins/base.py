"""A small JSON HTTP server on 127.0.0.1 (a free port) in a thread of its own."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    status: int
    times: int
    headers: dict[str, str]
    body: Any


class StandIn:
    """Subclasses implement ``answer(request) -> Answer``; faults queued with :meth:`fail` are
    answered first, per path."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body in one write, sent at once: no 40 ms Nagle/delayed-ACK stall per call.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                request = Request(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                answer = standin._dispatch(request)
                payload = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("content-type", "application/json;charset=UTF-8")
                self.send_header("content-length", str(len(payload)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def fail(self, path: str, status: int, *, times: int = 1, retry_after: str | None = None, body: Any = None) -> None:
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        with self._lock:
            self._faults.setdefault(path, []).append(Fault(status, times, headers, body or {"error": f"stand-in {status}"}))

    def calls(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _dispatch(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            queue = self._faults.get(request.path)
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                return Answer(fault.status, fault.body, fault.headers)
            return self.answer(request)

    def answer(self, request: Request) -> Answer:  # pragma: no cover - subclasses answer
        raise NotImplementedError
