"""Wrong session codes per client address, so nobody can walk the 900 million codes.

Every answer that tells a code apart from a wrong one (the session look-up, a consent, the join
page) counts the wrong ones per address. After ``max_failures`` within ``window_seconds``, that
address gets ``429`` on all of them, right codes included, until its oldest counted failure is
older than the window. Right codes do not wipe the count: a known code must not reset the walk.

Kept in memory and bounded: at most ``max_clients`` addresses, the least recently seen forgotten
first, each with at most ``max_failures`` times. A restart forgets everything, which costs a
walker a restart of ours per few codes: acceptable for a reference server.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from server.domain.refusals import WRONG_CODE_REFUSALS
from server.domain.sessions import too_many_wrong_codes


@dataclass(frozen=True)
class LookupLimit:
    # A customer mistyping a code a few times is never stopped; a script is, within ten tries.
    max_failures: int = 10
    window_seconds: float = 15 * 60
    max_clients: int = 10_000

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.window_seconds <= 0 or self.max_clients < 1:
            raise ValueError("lookup limits must be positive")


def client_key(address: str | None) -> str:
    """Whom a failure is counted against: the IPv4 address, or the /64 of an IPv6 one (one
    household or office gets a whole /64 and could otherwise take a new address per try)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FailedLookups:
    """The counter; safe to share between threads."""

    def __init__(self, limit: LookupLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, address: str | None) -> int | None:
        """Whole seconds ``address`` must wait before trying a code again, or None if it may now."""
        key = client_key(address)
        now = self._clock()
        with self._lock:
            times = self._failures.get(key)
            if times is None:
                return None
            self._forget_old(times, now)
            if not times:
                del self._failures[key]
                return None
            if len(times) < self.limit.max_failures:
                return None
            return max(1, math.ceil(times[0] + self.limit.window_seconds - now))

    def record_failure(self, address: str | None) -> None:
        key = client_key(address)
        now = self._clock()
        with self._lock:
            times = self._failures.get(key)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.limit.max_failures)
                while len(self._failures) > self.limit.max_clients:
                    self._failures.popitem(last=False)
            else:
                self._failures.move_to_end(key)
            self._forget_old(times, now)
            times.append(now)

    @contextmanager
    def counting(self, address: str | None) -> Iterator[None]:
        """Around all work that tells a real code from a wrong one: refuses a locked-out address
        first, and counts the block's wrong-code refusals against ``address``."""
        wait = self.retry_after(address)
        if wait is not None:
            raise too_many_wrong_codes(wait)
        try:
            yield
        except WRONG_CODE_REFUSALS:
            self.record_failure(address)
            raise

    def tracked_clients(self) -> int:
        with self._lock:
            return len(self._failures)

    def _forget_old(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.limit.window_seconds:
            times.popleft()
