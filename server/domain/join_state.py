"""What the emailed link can do for a code: start a session, or which refusal says why not."""

from __future__ import annotations

from datetime import datetime

from server.domain.refusals import AlreadyConsented, Refusal
from server.domain.sessions import require_live_session
from server.storage import SessionRow


def join_refusal(session: SessionRow | None, code: str, now: datetime | None = None) -> Refusal | None:
    """None when the link may offer the launcher for ``code``; else the refusal: unknown,
    cancelled, expired, or already used (permission given: the customer needs nothing more from
    the link, expired or not)."""
    if session is not None and session.status == "consented":
        return AlreadyConsented("Permission for this session has already been given.")
    try:
        require_live_session(session, code, now)
    except Refusal as refusal:
        return refusal
    return None
