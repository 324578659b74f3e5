"""A loopback stand-in for the network between the launcher and the consent server that can lose
or hold the consent on its way, so a test can kill the launcher at the worst moment.

It passes every request to the real server, except ``POST .../consent`` in the mode the test sets:

- ``"pass"``: through and back, like the network on a good day;
- ``"hold-answer"``: the request reaches the server, which records the consent; its answer is held
  and never reaches the launcher (a crash or a power cut while the answer travels back);
- ``"lose-request"``: the request never reaches the server;
- ``"hold-request"``: the request is held until :meth:`release` forwards it, late.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


class HoldingProxy:
    def __init__(self, upstream: str, mode: str = "pass") -> None:
        self.upstream = upstream.rstrip("/")
        self.mode = mode
        self.consent_arrived = threading.Event()  # a consent POST reached the proxy
        self.forwarded = threading.Event()  # ...and the server has answered it
        self._release = threading.Event()
        self.late_answer: httpx.Response | None = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:
                proxy._relay(self, "GET", b"")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self.path.endswith("/consent") or proxy.mode == "pass":
                    proxy._relay(self, "POST", body)
                    return
                proxy.consent_arrived.set()
                mode = proxy.mode
                if mode == "hold-answer":
                    proxy._forward("POST", self.path, body, dict(self.headers))
                    proxy.forwarded.set()
                    proxy._release.wait(120)
                elif mode == "hold-request":
                    proxy._release.wait(120)
                    proxy.late_answer = proxy._forward("POST", self.path, body, dict(self.headers))
                    proxy.forwarded.set()
                else:  # lose-request
                    proxy._release.wait(120)
                self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="holding-proxy", daemon=True)

    def __enter__(self) -> HoldingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Let a held request go on to the server (in ``hold-request`` mode)."""
        self._release.set()

    def _forward(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "user-agent", "accept")}
        return httpx.request(method, self.upstream + path, content=body, headers=keep, timeout=30)

    def _relay(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        answer = self._forward(method, handler.path, body, dict(handler.headers))
        handler.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() in ("content-type", "retry-after", "cache-control"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer.content)))
        handler.end_headers()
        handler.wfile.write(answer.content)
