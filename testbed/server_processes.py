"""The real consent server in processes of its own (``python -m server serve``), for the tests
about several processes and the transport, and for the load benchmarks.

Each process logs to a file, not a pipe (a chatty server never blocks on a full pipe), and is
found where it says it listens (``--port 0``: the system picks a free port, nothing can take it
in between).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
# serve refuses a short or guessable technician token.
TOKEN = "testbed-token-Hq3Vz8Kw2LpXr7"
_LISTENING = re.compile(r"Uvicorn running on http://([^:\s]+):(\d+)")


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    log: Path
    host: str = ""
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else "(no log)"

    def kill(self) -> None:
        """SIGKILL, as a crash or the out-of-memory killer would end it."""
        os.kill(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait(timeout=10)


def location_args(database: str | os.PathLike[str]) -> list[str]:
    """``--database URL`` for PostgreSQL, ``--db FILE`` for SQLite."""
    return ["--database", str(database)] if "://" in str(database) else ["--db", str(database)]


def launch(
    database: str | os.PathLike[str],
    log: Path,
    *extra: str,
    port: int = 0,
    token: str = TOKEN,
    tree: Path = REPO,
) -> ServerProcess:
    """Start ``serve`` without waiting for it (start several, then :func:`wait_listening` each).
    ``tree`` is the checkout whose server runs (another one for before/after figures)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", *location_args(database), "--host", "127.0.0.1",
             "--port", str(port), *extra],
            cwd=tree,
            env={**os.environ, "PHONETEX_TECHNICIAN_TOKEN": token},
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
    return ServerProcess(process, log, "127.0.0.1", port)


def wait_listening(server: ServerProcess, timeout: float = 30) -> ServerProcess:
    """Until ``server`` answers ``/healthz``; it is stopped and AssertionError raised if it ends
    or takes longer than ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.process.poll() is None:
        found = _LISTENING.search(server.log.read_text(errors="replace"))
        if found:
            server.host = found.group(1)
            if server.port == 0:
                server.port = int(found.group(2))
                return server
            # A fixed port with --workers: uvicorn says so before its workers are ready.
            if _healthy(server.base_url):
                return server
        time.sleep(0.05)
    server.stop()
    raise AssertionError(f"the server did not start: {server.log_tail()}")


def start_server(database: str | os.PathLike[str], log: Path, *extra: str, port: int = 0, timeout: float = 30,
                 token: str = TOKEN, tree: Path = REPO) -> ServerProcess:
    """``serve`` in its own process; returns once it listens."""
    return wait_listening(launch(database, log, *extra, port=port, token=token, tree=tree), timeout)


def start_servers(database: str | os.PathLike[str], count: int, log_dir: Path, *extra: str, token: str = TOKEN,
                  tree: Path = REPO, timeout: float = 60) -> list[ServerProcess]:
    """``count`` processes on one database, each on its own port (as behind a load balancer),
    started at once; all are stopped again if one does not start."""
    servers = [launch(database, log_dir / f"server-{index}.log", *extra, token=token, tree=tree) for index in range(count)]
    try:
        for server in servers:
            wait_listening(server, timeout)
    except BaseException:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: Sequence[ServerProcess]) -> None:
    for server in servers:
        server.stop()


@contextmanager
def served(
    folder: Path, *extra: str, timeout: float = 30, token: str = TOKEN, database: str | None = None
) -> Iterator[ServerProcess]:
    """``serve --db <folder>/c.sqlite3 --port 0 <extra>`` (or on ``database``, a file or a
    postgresql:// URL); yields once it listens, stops it after. The log is in ``folder``."""
    where = database if database is not None else folder / "c.sqlite3"
    server = start_server(where, folder / "server.log", *extra, timeout=timeout, token=token)
    try:
        yield server
    finally:
        server.stop()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
