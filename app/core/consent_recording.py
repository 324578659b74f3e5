"""Recording the customer's consent: the one operation, from the journey to the server's answer."""

from __future__ import annotations

from app.core.consent_client import ConsentAnswer, ConsentClient
from app.core.journey import Journey, build_consent_record, forget_pending_if_changed


def record_consent(client: ConsentClient, journey: Journey, *, resend: bool) -> ConsentAnswer:
    """Send the consent the journey holds; the server's answer, for ``journey.answer``.

    ``resend`` after a lost answer or a server failure: the very record sent before goes again
    (its receipt id lets the server answer a repeat with the first answer). Otherwise a record
    the customer has changed since is made afresh from what they see now. The answer's receipt
    is the consent as the server recorded it (checked against what was sent), and it is what the
    customer's receipt file is written from.

    Runs in a worker while ``journey.sending`` holds the page's inputs still; the page stores the
    answer on the GUI thread, where the journey's transitions follow it.
    """
    if not resend:
        forget_pending_if_changed(journey)
    return client.send_consent(build_consent_record(journey))
