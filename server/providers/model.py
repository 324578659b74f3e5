"""What the provider clients hand back: a session the customer can join, and what a session's
report says really happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ProviderSession:
    """``customer_url`` is for the customer (after consent); ``technician_url`` is a credential for
    the technician alone (Zoho's ``technician_url``, TeamViewer's ``supporter_link``)."""

    provider: str
    session_id: str
    customer_url: str
    technician_url: str
    valid_until: datetime | None = None

    def __repr__(self) -> str:  # the technician's link is a credential: keep it out of logs
        return (
            f"ProviderSession(provider={self.provider!r}, session_id={self.session_id!r}, "
            f"customer_url={self.customer_url!r}, technician_url=…)"
        )


@dataclass(frozen=True)
class SessionReport:
    """When the provider says the session ran (UTC) and for how long."""

    session_id: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float | None
