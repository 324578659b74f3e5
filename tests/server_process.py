"""The real server in a process of its own (``python -m server serve``), for tests about the
transport: what uvicorn and the server do with sockets, headers and proxies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKEN = "transport-token-Hq3Vz8Kw2LpX"


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    host: str
    port: int
    log: Path


@contextmanager
def served(folder: Path, *extra: str, timeout: float = 30) -> Iterator[ServerProcess]:
    """``serve --db <folder>/c.sqlite3 --port 0 <extra>``; yields once it listens, stops it after."""
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--db", str(folder / "c.sqlite3"), "--port", "0", *extra],
            cwd=REPO,
            env={**os.environ, "PHONETEX_TECHNICIAN_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=out,  # a file, not a pipe: a chatty server never blocks on a full pipe
        )
    try:
        deadline = time.monotonic() + timeout
        found = None
        while time.monotonic() < deadline and process.poll() is None:
            found = re.search(r"Uvicorn running on http://([^:\s]+):(\d+)", log.read_text(errors="replace"))
            if found:
                break
            time.sleep(0.05)
        if not found:
            raise AssertionError(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
        host, port = found.group(1), int(found.group(2))
        yield ServerProcess(process, f"http://{host}:{port}", host, port, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
