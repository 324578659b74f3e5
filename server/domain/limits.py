"""Wrong session codes per network, so nobody can walk the 900 million codes.

Every answer that tells a code apart from a wrong one (the session look-up, a consent, the join
pages) runs inside :meth:`FailedLookups.counting`, which takes one guess of the client's budget
*before* any work or wait: a guess in flight counts as wrong until it turns out right. However
many requests arrive at once or however slowly their bodies come, no more wrong codes are
processed than the budget allows. Right codes give their guess back but never wipe the count (a
known code must not reset a walk).

Budgets (``LookupLimit``, documented in docs/server-api.md):

- a client network (an IPv4 address, or an IPv6 /64) has ``max_failures`` wrong codes per
  ``window_seconds``; once it has used them it gets ``429`` on all those answers, right codes
  included, until its newest counted wrong code is older than the window;
- an IPv6 /48 has ``prefix_max_failures`` per window across all its /64s, so a site with 65 536
  networks does not get 65 536 budgets.

A request carrying the ticket of a successful look-up of that very code (see :class:`Tickets`)
passes without taking a guess: it has proved it knows the code, so an office whose neighbours
mistyped theirs is not stopped from giving consent.

Memory is bounded without forgetting a lock-out: at most ``max_clients`` networks that are not
locked are counted (the least recently seen forgotten first); locked networks are kept apart, at
most ``max_lockouts`` of them (beyond that, the ones ending soonest go first), and every lock-out
is handed to ``on_lockout`` so the store keeps it across restarts (:meth:`restore`).
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import hmac
import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from itertools import islice

from server.domain.refusals import WRONG_CODE_REFUSALS
from server.domain.sessions import too_many_wrong_codes

DAY = 24 * 60 * 60


@dataclass(frozen=True)
class LookupLimit:
    # Ten typos among fifty customers of one office stay well inside; a script gets 20 a day.
    max_failures: int = 20
    window_seconds: float = DAY
    prefix_max_failures: int = 100
    max_clients: int = 10_000
    max_lockouts: int = 100_000

    def __post_init__(self) -> None:
        if min(self.max_failures, self.prefix_max_failures, self.max_clients, self.max_lockouts) < 1 or (
            self.window_seconds <= 0
        ):
            raise ValueError("lookup limits must be positive")


def client_keys(address: str | None) -> tuple[str, ...]:
    """Whom a wrong code is counted against: the IPv4 address; for IPv6 its /64 (one household
    or office gets a whole /64 and could otherwise take a new address per try) and its /48."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown",)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return (str(ip.ipv4_mapped),)
        return (
            str(ipaddress.ip_network(f"{ip}/64", strict=False)),
            str(ipaddress.ip_network(f"{ip}/48", strict=False)),
        )
    return (str(ip),)


def client_key(address: str | None) -> str:
    return client_keys(address)[0]


@dataclass
class _Count:
    failures: deque[float]
    pending: int = 0


@dataclass
class Guess:
    """One guess taken from the budget of every key of an address, until it is settled."""

    keys: tuple[str, ...]
    settled: bool = field(default=False)


class BudgetBusy(Exception):
    """Every guess left is in flight: try again in a moment (never an answer by itself)."""


class FailedLookups:
    """The counter; safe to share between threads."""

    def __init__(
        self,
        limit: LookupLimit,
        clock: Callable[[], float] = time.time,
        on_lockout: Callable[[str, float], object] | None = None,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._on_lockout = on_lockout
        self._lock = threading.Lock()
        self._counts: OrderedDict[str, _Count] = OrderedDict()
        self._locked: dict[str, float] = {}  # key -> wall-clock end of its lock-out

    def _budget(self, key: str) -> int:
        return self.limit.prefix_max_failures if key.endswith("/48") else self.limit.max_failures

    # --- taking and settling guesses -----------------------------------------------------

    def take(self, address: str | None) -> Guess:
        """One guess for ``address``, or :class:`~server.domain.refusals.TooManyWrongCodes`
        (or :class:`BudgetBusy` when only guesses still in flight fill the budget)."""
        keys = client_keys(address)
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
            if any(wait > 0 for wait in waits):
                raise too_many_wrong_codes(max(1, math.ceil(max(waits))))
            if any(wait < 0 for wait in waits):
                raise BudgetBusy()
            for key in keys:
                self._count(key).pending += 1
        return Guess(keys)

    async def take_soon(self, address: str | None, patience: float = 10.0) -> Guess:
        """:meth:`take`, waiting while the budget is full only of guesses in flight: those settle
        within a request's time, and an honest office asking at once should not get 429 for them.
        The guess is still taken before the caller does any work."""
        pause, deadline = 0.002, time.monotonic() + patience
        while True:
            try:
                return self.take(address)
            except BudgetBusy:
                if time.monotonic() > deadline:
                    raise too_many_wrong_codes(1) from None
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)

    def settle(self, guess: Guess, *, wrong: bool) -> None:
        if guess.settled:
            return
        guess.settled = True
        now = self._clock()
        locked: list[tuple[str, float]] = []
        with self._lock:
            for key in guess.keys:
                count = self._counts.get(key)
                if count is None:  # forgotten meanwhile (cannot happen while pending; be safe)
                    count = self._count(key)
                    count.pending += 1
                count.pending -= 1
                if wrong:
                    self._forget_old(count, now)
                    count.failures.append(now)
                    if len(count.failures) >= self._budget(key):
                        until = now + self.limit.window_seconds
                        self._lock_out(key, until)
                        locked.append((key, until))
        if self._on_lockout is not None:
            for key, until in locked:
                self._on_lockout(key, until)

    @contextmanager
    def counting(self, address: str | None) -> Iterator[None]:
        """Around work that tells a real code from a wrong one, in synchronous code: takes the
        guess on entry (a busy budget is a 429 here), settles it by how the block ends."""
        try:
            guess = self.take(address)
        except BudgetBusy:
            raise too_many_wrong_codes(1) from None
        with self._settling(guess):
            yield

    @asynccontextmanager
    async def guarding(self, address: str | None, *, exempt: bool = False) -> AsyncIterator[None]:
        """Around all work of a route that tells a real code from a wrong one. The guess is taken
        on entry, before the block awaits anything; ``exempt`` (a valid ticket) takes none."""
        if exempt:
            yield
            return
        guess = await self.take_soon(address)
        with self._settling(guess):
            yield

    @contextmanager
    def _settling(self, guess: Guess) -> Iterator[None]:
        try:
            yield
        except WRONG_CODE_REFUSALS:
            self.settle(guess, wrong=True)
            raise
        finally:
            self.settle(guess, wrong=False)

    # --- what the rest of the server asks ------------------------------------------------

    def retry_after(self, address: str | None) -> int | None:
        """Whole seconds ``address`` must wait before trying a code again, or None if it may now."""
        now = self._clock()
        with self._lock:
            wait = max((self._wait(key, now) for key in client_keys(address)), default=0)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record_failure(self, address: str | None) -> None:
        """A wrong code from ``address`` (what :meth:`counting` does for a refused guess)."""
        self.settle(self.take_unchecked(address), wrong=True)

    def take_unchecked(self, address: str | None) -> Guess:
        keys = client_keys(address)
        with self._lock:
            for key in keys:
                self._count(key).pending += 1
        return Guess(keys)

    def restore(self, lockouts: Iterable[tuple[str, float]]) -> None:
        """Lock-outs the store kept (a restart, or another process of the same server)."""
        now = self._clock()
        with self._lock:
            for key, until in lockouts:
                if until > now:
                    self._lock_out(key, max(until, self._locked.get(key, 0)))

    def now(self) -> float:
        return self._clock()

    def tracked_clients(self) -> int:
        with self._lock:
            return len(self._counts)

    def in_flight(self, address: str | None) -> int:
        """Guesses ``address`` has taken that are not settled yet (requests still at work)."""
        with self._lock:
            count = self._counts.get(client_key(address))
            return count.pending if count is not None else 0

    def locked_clients(self) -> int:
        with self._lock:
            return len(self._locked)

    # --- inside the lock ------------------------------------------------------------------

    def _wait(self, key: str, now: float) -> float:
        """Seconds ``key`` is locked out for; -1 while its budget is full of guesses in flight."""
        until = self._locked.get(key)
        if until is not None:
            if until > now:
                return until - now
            del self._locked[key]
        count = self._counts.get(key)
        if count is None:
            return 0
        self._forget_old(count, now)
        if len(count.failures) + count.pending >= self._budget(key):
            return -1  # only guesses still in flight fill the budget: they settle soon
        return 0

    def _count(self, key: str) -> _Count:
        count = self._counts.get(key)
        if count is None:
            count = self._counts[key] = _Count(deque(maxlen=self._budget(key)))
            self._evict()
        else:
            self._counts.move_to_end(key)
        return count

    def _evict(self) -> None:
        # Never a network with a guess in flight: its guess must settle against its own count.
        excess = len(self._counts) - self.limit.max_clients
        if excess <= 0:
            return
        idle = (key for key, count in self._counts.items() if count.pending == 0)
        for key in list(islice(idle, excess)):
            del self._counts[key]

    def _lock_out(self, key: str, until: float) -> None:
        self._locked[key] = until
        self._counts.pop(key, None)  # kept apart from the counts, so it is never evicted with them
        if len(self._locked) > self.limit.max_lockouts:
            ending = self._locked
            for ended in heapq.nsmallest(len(ending) - self.limit.max_lockouts, ending, key=lambda k: ending[k]):
                del self._locked[ended]

    def _forget_old(self, count: _Count, now: float) -> None:
        while count.failures and count.failures[0] <= now - self.limit.window_seconds:
            count.failures.popleft()


class Tickets:
    """Short-lived proof that a client looked a code up successfully: ``<expiry>.<mac>``, an
    HMAC-SHA256 of the code and expiry under the server's secret (the same secret for every
    process of one server, so any of them accepts another's ticket)."""

    LIFETIME = 2 * 60 * 60  # a consent is given within the session's first hour or two

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def _mac(self, code: str, expiry: int) -> str:
        message = f"phonetex-consent-ticket/v1:{code}:{expiry}".encode("ascii")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def issue(self, code: str) -> str:
        expiry = int(self._clock()) + self.LIFETIME
        return f"{expiry}.{self._mac(code, expiry)}"

    def valid(self, ticket: str | None, code: str) -> bool:
        if not ticket or len(ticket) > 64:
            return False
        expiry_text, _, mac = ticket.partition(".")
        if not expiry_text.isdigit() or len(expiry_text) > 12 or not mac:
            return False
        expiry = int(expiry_text)
        if expiry < self._clock() or expiry > self._clock() + self.LIFETIME + 60:
            return False
        return hmac.compare_digest(mac, self._mac(code, expiry))
