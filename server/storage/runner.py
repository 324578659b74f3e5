"""Every call to the store runs on a thread of its own, so the server's event loop never waits
on the disk: not for a commit's fsync, not for SQLite's busy wait while another process holds
the write lock, not for a disk that stalls. ``/healthz`` and every answer that needs no data go
on being served meanwhile (``make bench-server`` shows it with a held write lock).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from server.storage.interface import Store

R = TypeVar("R")
log = logging.getLogger(__name__)

# ``await run(work, *args)``: how async domain code reaches the store off the event loop
# (``StoreThread.run`` in the server; ``asyncio.to_thread`` will do elsewhere).
StoreRun = Callable[..., Awaitable[Any]]


class StoreThread:
    def __init__(self, store: Store) -> None:
        self.store = store
        # One thread for SQLite (one connection anyway); an engine with a pool may allow more.
        self._executor = ThreadPoolExecutor(max_workers=store.threads, thread_name_prefix="store")

    async def run(self, work: Callable[..., R], *args: Any) -> R:
        """``work(*args)`` on the store's thread; the event loop serves others meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        """``work(*args)`` on the store's thread without waiting for it; a failure is logged."""
        future = self._executor.submit(work, *args)
        future.add_done_callback(_log_failure)
        return future

    def close(self) -> None:
        """Wait for the calls already handed over, then stop the thread."""
        self._executor.shutdown(wait=True)


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("a background store call failed: %s", future.exception())
