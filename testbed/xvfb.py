"""A private Xvfb for the tests and benchmarks that need real X11 windows.

``-displayfd`` lets the server pick a free display number itself, so parallel runs on one
machine never collide.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MISSING_REASON = "Xvfb is not installed (Debian package xvfb; make system-deps)"


def xvfb_missing() -> bool:
    return shutil.which("Xvfb") is None


def start_xvfb(screen: str = "1280x900x24", preexec_fn: Callable[[], None] | None = None) -> tuple[subprocess.Popen, str]:
    """Start Xvfb and return it with its display name (``:N``); raise RuntimeError if it won't start."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", screen],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=preexec_fn,
    )
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        ready, _, _ = select.select([numbers], [], [], 30)
        number = numbers.readline().strip() if ready else ""
    if not number:
        server.kill()
        server.wait()
        raise RuntimeError("Xvfb did not report a display number")
    return server, f":{number}"


@contextmanager
def private_xvfb(screen: str = "1280x900x24") -> Iterator[str]:
    server, display = start_xvfb(screen)
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)
