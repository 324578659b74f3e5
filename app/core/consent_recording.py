"""Recording the customer's consent: the one operation, from the journey to the server's answer."""

from __future__ import annotations

from app.core.consent_client import ConsentAnswer, ConsentClient
from app.core.consent_flow import send_kept
from app.core.consent_journal import ConsentJournal
from app.core.journey import Journey, build_consent_record, forget_pending_if_changed


def record_consent(
    client: ConsentClient, journey: Journey, *, resend: bool, journal: ConsentJournal | None = None
) -> ConsentAnswer:
    """Send the consent the journey holds; the server's answer, for ``journey.answer``.

    ``resend`` after a lost answer or a server failure: the very record sent before goes again
    (its receipt id lets the server answer a repeat with the first answer). Otherwise a record
    the customer has changed since is made afresh from what they see now. The answer's receipt
    is the consent as the server recorded it (checked against what was sent), and it is what the
    customer's receipt file is written from.

    With a ``journal`` the record is on disk before it is sent, and the answer is stored as the
    receipt before the journal entry goes (app.core.consent_flow.send_kept): a launcher killed in
    between re-sends that very record when started again with the same code.

    Runs in a worker while ``journey.sending`` holds the page's inputs still; the page stores the
    answer on the GUI thread, where the journey's transitions follow it.
    """
    if not resend:
        forget_pending_if_changed(journey)
    record = build_consent_record(journey)
    assert journey.session is not None  # the record above needs it
    return send_kept(client, journal, record, journey.session.expires_at, ticket=journey.session.consent_ticket)
