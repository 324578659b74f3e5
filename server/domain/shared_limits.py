"""The wrong-code limit of :mod:`server.domain.limits`, counted in the database, so that several
server processes on one database share it: a walker spreading its tries over the processes behind
a load balancer gets one budget, not one per process, and a lock-out holds whichever process the
next request reaches (and survives a restart).

Same rules as :class:`~server.domain.limits.FailedLookups`: per client key (an IPv4 address, an
IPv6 /64), at most ``max_failures`` wrong codes within ``window_seconds``, then ``429`` until the
oldest counted one leaves the window. Times are wall-clock seconds, the one clock every process
shares. The table holds only failures still inside the window: each new failure clears out the
ones that left it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from server.domain.limits import FailedLookups, LookupLimit, client_key
from server.storage import Store


class SharedFailedLookups(FailedLookups):
    def __init__(self, store: Store, limit: LookupLimit, clock: Callable[[], float] = time.time) -> None:
        super().__init__(limit, clock)
        self._store = store

    def retry_after(self, address: str | None) -> int | None:
        now = self._clock()
        with self._store.reading_once() as tx:
            count, oldest = tx.wrong_codes_since(client_key(address), now - self.limit.window_seconds)
        if count < self.limit.max_failures or oldest is None:
            return None
        return max(1, math.ceil(oldest + self.limit.window_seconds - now))

    def record_failure(self, address: str | None) -> None:
        now = self._clock()
        with self._store.transaction() as tx:
            tx.add_wrong_code(client_key(address), now, forget_before=now - self.limit.window_seconds)

    def tracked_clients(self) -> int:
        now = self._clock()
        with self._store.reading() as tx:
            return tx.wrong_code_clients_since(now - self.limit.window_seconds)
