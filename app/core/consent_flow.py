"""Giving the consent so that a crash at any moment strands no one, and finding the way back.

``send_kept`` is what Give permission does (in a worker): the record goes into the journal before
it is sent and the server's answer is stored as the receipt before the journal entry goes.
``resume`` is what a start with a code does when this computer kept a consent for it: it sends
the very same record again (same receipt id), and the server gives its first answer again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.consent_client import ConsentAnswer, ConsentClient, SessionInfo
from app.core.consent_journal import ConsentJournal, KeptConsent
from app.core.consent_record import ConsentRecord


def send_kept(
    client: ConsentClient, journal: ConsentJournal | None, record: ConsentRecord, expires_at: str,
    ticket: str | None = None,
) -> ConsentAnswer:
    """``ticket``: the look-up's ``consent_ticket`` (neighbours' typos cannot block the send)."""
    if journal is not None:
        journal.keep(record, expires_at)
    answer = client.send_consent(record, ticket=ticket)
    if journal is not None:
        journal.acknowledge(record, expires_at, answer.reference, _received_at(answer))
    return answer


@dataclass(frozen=True)
class Resumed:
    session: SessionInfo
    kept: KeptConsent
    answer: ConsentAnswer


@dataclass(frozen=True)
class Looked:
    """What a start with a code found: the server's session and, where this computer had kept a
    consent for it, the server's answer to that consent sent again."""

    session: SessionInfo
    resumed: Resumed | None = None
    # The server says permission was given, and this computer holds no copy of it.
    given_elsewhere: bool = False


def look_up(client: ConsentClient, journal: ConsentJournal | None, code: str) -> Looked:
    """The session for ``code``, resumed where a consent was kept for it on this computer."""
    session = client.lookup_session(code)
    if journal is not None:
        journal.forget_expired()  # what other sessions left here helps no one once they are over
    kept = journal.find(session.code) if journal is not None else None
    if kept is None:
        return Looked(session, given_elsewhere=session.status == "consented")
    answer = client.send_consent(kept.record, ticket=session.consent_ticket)
    if journal is not None:
        journal.acknowledge(kept.record, kept.expires_at, answer.reference, _received_at(answer))
    return Looked(session, Resumed(session, kept, answer))


def _received_at(answer: ConsentAnswer) -> str | None:
    return answer.receipt.received_at if answer.receipt is not None else None
