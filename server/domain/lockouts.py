"""Lock-outs of the wrong-code limit kept in the store, so a restart (or another process of the
same server) still refuses a network that has used its budget."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from app.core.utc_time import iso_utc, parse_iso_utc
from server.storage import Store


def keep_lockout(store: Store, network: str, until: float) -> None:
    """Store that ``network`` is locked out until the wall-clock time ``until``."""
    # Whole seconds, rounded up: a kept lock-out never ends before the one in memory.
    moment = datetime.fromtimestamp(math.ceil(until), UTC)
    with store.transaction() as tx:
        tx.record_lockout(network, iso_utc(moment))


def kept_lockouts(store: Store, now: float) -> list[tuple[str, float]]:
    """The lock-outs that have not ended by ``now``, as (network, wall-clock end)."""
    with store.transaction() as tx:
        rows = tx.lockouts(iso_utc(datetime.fromtimestamp(now, UTC)))
    return [(network, parse_iso_utc(until).timestamp()) for network, until in rows]
