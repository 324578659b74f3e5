"""Group commit: consents from many concurrent requests written in one transaction, one fsync.

With ``synchronous=FULL`` every commit waits for the disk (about 0.35 ms here), and each commit
rewrites the same few B-tree pages in the WAL. Committing one consent per request made the disk
the queue 50 customers stood in. Instead each request validates its record by itself, then
queues it here; the first one queued schedules the write for the event loop's next turn, by
which time every request that arrived meanwhile has queued too. The batch is written with
:func:`server.domain.consents.record_consents` (a savepoint per consent, so one refusal does not undo
the others) and committed once. Only then does any request get its answer: a ``201`` still means
the consent is on disk.

The batch runs on the event loop thread. Handing the whole batch, or only its COMMIT, to a
thread was measured slower in ``make bench-server`` (p50 about 1-3 ms and p99 about 4 ms worse):
the GIL hand-offs cost more than the one fsync per batch they would hide.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from app.core.utc_time import utc_now
from server.domain.consents import ConsentToStore, record_consents
from server.storage import Store


class ConsentWriter:
    """The one writer of consents for an app; use it from the app's event loop only."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._queue: list[tuple[ConsentToStore, asyncio.Future[bytes]]] = []

    async def record(self, consent: ConsentToStore) -> bytes:
        """The ``201`` answer's bytes once the consent is committed; raises its refusal."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        if not self._queue:
            loop.call_soon(self._write_queued)
        self._queue.append((consent, future))
        return await future

    def _write_queued(self) -> None:
        batch, self._queue = self._queue, []
        try:
            outcomes: list[bytes | Exception] = record_consents(
                self._store, [consent for consent, _ in batch], self._clock()
            )
        except Exception as exc:  # noqa: BLE001 - the commit failed: nothing of this batch is on record
            outcomes = [exc] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            # A request whose client went away was still written: its retry gets the answer.
            if future.cancelled():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
