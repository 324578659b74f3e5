"""Group commit: consents from many concurrent requests written in one transaction, one fsync.

With ``synchronous=FULL`` every commit waits for the disk (about 0.35 ms here), and each commit
rewrites the same few B-tree pages in the WAL. Committing one consent per request made the disk
the queue 50 customers stood in. Instead each request validates its record by itself, then
queues it here; the first one queued schedules the write for the event loop's next turn, by
which time every request that arrived meanwhile has queued too. The batch is written with
:func:`server.domain.consents.record_consents` (a savepoint per consent, so one refusal does not undo
the others) and committed once. Only then does any request get its answer: a ``201`` still means
the consent is on disk.

No batch is written on the event loop: a stalled disk, an fsync or SQLite's busy wait while
another process holds the write lock must not stop ``/healthz`` and every other answer (issue
11; ``make bench-server`` holds the lock 5 s and measures). On SQLite the batch goes to one writer
thread, and what arrives meanwhile queues up as the next batch; the hand-off costs a little p99
under 50 clients (README), inside the budget.

On PostgreSQL every statement is a round trip to another process, which may also wait for a
row lock another server process holds, so nothing is written on the event loop. There group
commit does not pay (``make bench-server-pg``, README): PostgreSQL already lets concurrent commits
share one WAL flush, and a batch puts all its round trips one after another on one connection.
Each consent is written in its own transaction from a thread pool, one connection each.
``serve --group-commit on|off`` overrides the engine's choice, for measuring.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from datetime import datetime

from app.core.utc_time import utc_now
from server.domain.consents import ConsentToStore, record_consents
from server.storage import Store


class ConsentWriter:
    """The one writer of consents for an app; use it from the app's event loop only."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now, *, group_commit: bool | None = None) -> None:
        self._store = store
        self._clock = clock
        self._queue: list[tuple[ConsentToStore, asyncio.Future[bytes]]] = []
        self._batched = store.group_commit_pays if group_commit is None else group_commit
        self._writing = False
        self._threads: concurrent.futures.ThreadPoolExecutor | None = None

    async def record(self, consent: ConsentToStore) -> bytes:
        """The ``201`` answer's bytes once the consent is committed; raises its refusal."""
        loop = asyncio.get_running_loop()
        if not self._batched:
            outcomes = await loop.run_in_executor(self._pool(), self._write, [consent])
            return _outcome(outcomes[0])
        future: asyncio.Future[bytes] = loop.create_future()
        if not self._queue and not self._writing:
            loop.call_soon(self._start_batch)
        self._queue.append((consent, future))
        return await future

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._threads is None:
            # One batch at a time when batched; else as many transactions as the store has connections.
            workers = 1 if self._batched else max(1, int(getattr(self._store, "connections", 8)) - 2)
            self._threads = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="consent-writer")
        return self._threads

    def _write(self, consents: list[ConsentToStore]) -> list[bytes | Exception]:
        try:
            return record_consents(self._store, consents, self._clock())
        except Exception as exc:  # noqa: BLE001 - the commit failed: nothing of this batch is on record
            return [exc] * len(consents)

    def _start_batch(self) -> None:
        """Write what is queued in the writer thread; what queues meanwhile is the next batch."""
        batch, self._queue = self._queue, []
        self._writing = bool(batch)
        if not batch:
            return
        written = asyncio.get_running_loop().run_in_executor(self._pool(), self._write, [c for c, _ in batch])

        def done(outcomes: asyncio.Future[list[bytes | Exception]]) -> None:
            _answer(batch, outcomes.result())
            self._start_batch()

        written.add_done_callback(done)


def _outcome(outcome: bytes | Exception) -> bytes:
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _answer(batch: list[tuple[ConsentToStore, asyncio.Future[bytes]]], outcomes: list[bytes | Exception]) -> None:
    for (_, future), outcome in zip(batch, outcomes, strict=True):
        # A request whose client went away was still written: its retry gets the answer.
        if future.cancelled():
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
