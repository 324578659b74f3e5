"""Following a switch of provider while the Connect page is open.

The technician may switch a session to TeamViewer when Zoho Assist cannot be used (the terms name
it as the fallback). The Connect page asks the server gently, in a worker, which link the session
is on now; this module decides, without Qt, when to ask next and whether an answer means a new
link to open. A new link passes the same allow-list as the first one, or nothing opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.core.brand import Brand
from app.core.consent_client import Amendment, ConnectionInfo
from app.core.join_link import JoinLink, JoinLinkRefused, check_join_link
from app.core.utc_time import parse_iso_utc, utc_now

# Gentle: one small request every few seconds while the page is open; slower after failures.
POLL_SECONDS = 5.0
MAX_POLL_SECONDS = 60.0


@dataclass(frozen=True)
class Switch:
    """The session moved: open ``link`` (it passed the allow-list), or show ``refusal`` instead."""

    link: JoinLink | None
    refusal: JoinLinkRefused | None
    provider: str
    amendments: tuple[Amendment, ...]


class ProviderFollower:
    def __init__(
        self,
        brand: Brand,
        current: JoinLink | None,
        *,
        expires_at: str | None,
        demo_origin: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._brand = brand
        self._demo_origin = demo_origin
        self._expires_at = None if expires_at is None else parse_iso_utc(expires_at)
        self._clock = clock
        self.current = current
        self._last_seen: str | None = None if current is None else current.url
        self._failures = 0

    def next_delay(self) -> float | None:
        """Seconds until the next question, or None once the session is over: stop asking."""
        if self._expires_at is not None and self._clock() >= self._expires_at:
            return None
        return min(MAX_POLL_SECONDS, POLL_SECONDS * 2**self._failures)

    def failed(self) -> None:
        """The question went unanswered; ask less often for a while."""
        self._failures = min(self._failures + 1, 8)

    def consider(self, info: ConnectionInfo) -> Switch | None:
        """What to do with an answer: None while the session stays on the link already opened."""
        self._failures = 0
        if info.join_url == self._last_seen:
            return None
        self._last_seen = info.join_url
        try:
            link = check_join_link(info.join_url, self._brand, self._demo_origin)
        except JoinLinkRefused as refusal:
            return Switch(None, refusal, info.provider, info.amendments)
        if self.current is not None and link.url == self.current.url:
            return None
        self.current = link
        return Switch(link, None, link.provider, info.amendments)
