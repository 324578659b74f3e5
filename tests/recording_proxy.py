"""A stand-in for an office's HTTPS proxy that only writes down where the launcher wanted to go.

Pointing ``HTTPS_PROXY`` at it keeps a test off the internet and shows which server a launcher
really contacts: its first line is ``CONNECT <host>:443 HTTP/1.1``. It answers ``502``, so the
launcher sees an unreachable server and says so.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Callable


class RecordingProxy:
    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[str] = []
        self._first = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="recording-proxy", daemon=True)

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def first_request(self, timeout: float) -> str | None:
        """The first request line that arrived within ``timeout`` seconds, else None."""
        return self.requests[0] if self._first.wait(timeout) else None

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                try:
                    line = connection.makefile("rb").readline(1024).decode("latin-1").strip()
                    connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    continue
            self.requests.append(line)
            self._first.set()


def requests_of_launcher(start: Callable[[str], subprocess.Popen], timeout: float = 60) -> list[str]:
    """Start a launcher process whose HTTPS proxy is a recording one (``start`` gets the proxy's
    URL), wait up to ``timeout`` seconds for its first request, stop it; the request lines sent."""
    with RecordingProxy() as proxy:
        launcher = start(proxy.url)
        try:
            proxy.first_request(timeout)
        finally:
            launcher.terminate()
            launcher.communicate(timeout=30)
        return list(proxy.requests)
