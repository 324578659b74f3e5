"""Wrong passwords slow down sign-in, per account and per client address.

A few mistakes cost nothing. After ``free_failures`` wrong passwords, the account (or the
address) must wait before its next try: ``base_delay`` seconds, doubling with each further wrong
password up to ``max_delay``. While it waits, a sign-in is refused without the password even
being checked, so a guesser learns nothing from trying faster. A right password clears its
account's count, not its address's: one known account must not reset a walk over the others.
Counts are forgotten ``forget_after`` seconds after the last wrong password.

Kept in memory per server process and bounded like :mod:`server.domain.limits`; a restart forgets.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from server.domain.limits import client_key


@dataclass(frozen=True)
class SignInLimit:
    free_failures: int = 3
    # An office shares one address, so it gets more free tries than one account.
    free_failures_per_address: int = 10
    base_delay: float = 2.0
    max_delay: float = 15 * 60
    forget_after: float = 60 * 60
    max_entries: int = 10_000


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0


class SignInThrottle:
    """Safe to share between threads."""

    def __init__(self, limit: SignInLimit = SignInLimit(), clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: OrderedDict[str, _Count] = OrderedDict()

    @staticmethod
    def _keys(account: str, address: str | None) -> tuple[str, str]:
        return f"account:{account.strip().lower()}", f"address:{client_key(address)}"

    def retry_after(self, account: str, address: str | None) -> int | None:
        """Whole seconds to wait before this account may try again from this address, or None."""
        account_key, address_key = self._keys(account, address)
        now = self._clock()
        with self._lock:
            waits = [
                self._wait(self._counts.get(account_key), self.limit.free_failures, now),
                self._wait(self._counts.get(address_key), self.limit.free_failures_per_address, now),
            ]
        wait = max(waits)
        return math.ceil(wait) if wait > 0 else None

    def failed(self, account: str, address: str | None) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(account, address):
                count = self._counts.get(key)
                if count is None or now - count.last >= self.limit.forget_after:
                    count = self._counts[key] = _Count()
                self._counts.move_to_end(key)
                count.failures += 1
                count.last = now
            while len(self._counts) > self.limit.max_entries:
                self._counts.popitem(last=False)

    def succeeded(self, account: str) -> None:
        account_key, _ = self._keys(account, None)
        with self._lock:
            self._counts.pop(account_key, None)

    def _wait(self, count: _Count | None, free: int, now: float) -> float:
        if count is None or now - count.last >= self.limit.forget_after or count.failures < free:
            return 0.0
        delay = min(self.limit.max_delay, self.limit.base_delay * 2 ** (count.failures - free))
        return max(0.0, count.last + delay - now)
