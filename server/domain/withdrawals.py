"""The end of a consent's support session, as the customer's launcher reports it.

By receipt id (the launcher's own UUID, which only it and the server know): ``customer`` when the
customer pressed End support now, so the consent is withdrawn, or ``program_ended`` when the
provider's program on their computer ended by itself. The first report stands: a repeat (a
retry, or End pressed after the program already ended) gets the answer of the first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.contract import RECEIPT_ID, WITHDRAWAL, WITHDRAWAL_REQUEST
from app.core.utc_time import iso_utc, utc_now
from app.core.wire import WireError
from server.domain.refusals import InvalidRequest, NoConsent
from server.storage.interface import ConsentRow, Store, WithdrawalRow

STATUS_BY_REASON = {"customer": "withdrawn", "program_ended": "ended"}


def parse_withdrawal(receipt_id: str, data: Any) -> tuple[str, str]:
    """The receipt id and the reason; raises :class:`InvalidRequest` saying what is off."""
    try:
        RECEIPT_ID.parse(receipt_id, "receipt_id")
        reason = WITHDRAWAL_REQUEST.parse(data)["reason"]
    except WireError as error:
        raise InvalidRequest(f"{error}.") from None
    return receipt_id, reason


def record_withdrawal(store: Store, receipt_id: str, reason: str, now: datetime | None = None) -> dict[str, Any]:
    """Store the end of the consent with ``receipt_id`` unless one is on record; return the answer."""
    with store.transaction() as tx:
        consent = tx.consent_by_receipt(receipt_id)
        if consent is None:
            raise NoConsent("No permission was recorded with this receipt id.")
        withdrawal = tx.withdrawal(receipt_id)
        if withdrawal is None:
            withdrawal = WithdrawalRow(receipt_id, iso_utc(now or utc_now()), reason)
            tx.insert_withdrawal(withdrawal)
    return withdrawal_answer(consent, withdrawal)


def withdrawal_answer(consent: ConsentRow, withdrawal: WithdrawalRow) -> dict[str, Any]:
    return WITHDRAWAL.parse(
        {
            "receipt_id": withdrawal.receipt_id,
            "reference": consent.reference,
            "status": STATUS_BY_REASON[withdrawal.reason],
            "reason": withdrawal.reason,
            "withdrawn_at": withdrawal.withdrawn_at,
        }
    )
