"""The one way times cross the wire and sit in the database: UTC, whole seconds, with a ``Z``.

Launcher and server both write times with :func:`iso_utc`, so a receipt, a session's expiry and
a consent's ``received_at`` read the same everywhere (``2026-12-01T08:15:00Z``).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """``moment`` in the one time format of the tree; a naive ``moment`` is refused, since a
    local time written as UTC would move a consent by hours."""
    if moment.tzinfo is None:
        raise ValueError("iso_utc needs a time with a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_now_iso() -> str:
    return iso_utc(utc_now())


def parse_iso_utc(text: str) -> datetime:
    """The time ``text`` names, aware; raises ``ValueError`` for text that is not an ISO time."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} does not say its time zone")
    return moment
