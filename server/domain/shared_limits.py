"""The wrong-code limit of :mod:`server.domain.limits`, shared through the database, so that
several server processes on one database share it: a walker spreading its tries over the
processes behind a load balancer meets the count of all of them, and a lock-out holds whichever
process the next request reaches (and survives a restart).

Each process still takes its guess in memory before any await (:class:`FailedLookups`), which is
what holds a burst to the budget within a process. On top, before that guess, the count of every
process is read from the ``wrong_codes`` table (on the store's thread, never on the event loop),
and each wrong code is added to it (handed to the store's thread, not waited for). Times are
wall-clock seconds, the one clock every process shares; the table keeps only wrong codes still
inside the window. A burst sent to N processes at once can get N budgets before the table shows
them; anything slower gets one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from server.domain.limits import FailedLookups, Guess, LookupLimit, client_keys
from server.domain.sessions import too_many_wrong_codes
from server.storage import Store
from server.storage.runner import StoreThread


class SharedFailedLookups(FailedLookups):
    def __init__(
        self,
        store: Store,
        limit: LookupLimit,
        db: StoreThread | None = None,
        clock: Callable[[], float] = time.time,
        on_lockout: Callable[[str, float], object] | None = None,
    ) -> None:
        super().__init__(limit, clock, on_lockout)
        self._store = store
        self._db = db or StoreThread(store)

    def _shared_wait(self, keys: tuple[str, ...], now: float) -> float:
        """Seconds until the keys' shared count leaves room (0 when it does); on the store's thread."""
        window = self.limit.window_seconds
        waits = [0.0]
        with self._store.reading() as tx:
            for key in keys:
                count, oldest = tx.wrong_codes_since(key, now - window)
                if count >= self._budget(key) and oldest is not None:
                    waits.append(oldest + window - now)
        return max(waits)

    async def take_soon(self, address: str | None, patience: float = 10.0) -> Guess:
        keys = client_keys(address)
        wait = await self._db.run(self._shared_wait, keys, self._clock())
        if wait > 0:
            raise too_many_wrong_codes(max(1, math.ceil(wait)))
        return await super().take_soon(address, patience)

    def settle(self, guess: Guess, *, wrong: bool) -> None:
        first = not guess.settled
        super().settle(guess, wrong=wrong)
        if wrong and first:
            now = self._clock()
            for key in guess.keys:
                self._db.submit(self._add, key, now)

    def _add(self, key: str, at: float) -> None:
        with self._store.transaction() as tx:
            tx.add_wrong_code(key, at, forget_before=at - self.limit.window_seconds)

    def record_failure(self, address: str | None) -> None:
        """A wrong code, counted here and in the database before returning (synchronous callers)."""
        guess = self.take_unchecked(address)
        FailedLookups.settle(self, guess, wrong=True)
        now = self._clock()
        for key in guess.keys:
            self._add(key, now)

    def retry_after(self, address: str | None) -> int | None:
        """The wait of this process's count or the shared one, whichever is longer (reads the
        database: for synchronous callers and tests, not for the event loop)."""
        mine = super().retry_after(address) or 0
        shared = self._shared_wait(client_keys(address), self._clock())
        wait = max(mine, shared)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def tracked_clients(self) -> int:
        now = self._clock()
        with self._store.reading() as tx:
            return tx.wrong_code_clients_since(now - self.limit.window_seconds)
