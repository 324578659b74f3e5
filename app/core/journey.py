"""The wizard's journey as data: the steps, what each has gathered, and the order between them.

Qt-free so the flow is tested without a window; the Qt wizard asks :func:`next_step` which page
comes next and stores what each page learnt in one :class:`Journey`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from app import __version__
from app.core.consent_client import ConsentAnswer, SessionInfo
from app.core.consent_record import (
    ACKNOWLEDGEMENTS,
    AppSummary,
    BackupSummary,
    ConsentRecord,
    OpenAppsSummary,
    TermsAccepted,
    new_receipt_id,
    os_family,
    utc_now_iso,
)
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message
from app.core.read_back import describe_backup
from app.core.terms import Terms


class Step(IntEnum):
    SESSION = 0
    TERMS = 1
    OPEN_APPS = 2
    BACKUP = 3
    CONSENT = 4
    CONNECT = 5


@dataclass
class Journey:
    """Everything the customer has told the launcher in this run. Never written to disk:
    permission is for this session only."""

    session: SessionInfo | None = None
    terms: Terms | None = None
    open_apps: OpenAppsSummary = field(default_factory=OpenAppsSummary)
    backup: BackupSummary | None = None
    name: str = ""
    acknowledgements: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ACKNOWLEDGEMENTS, False))
    # Kept once made so Retry re-sends the very same record: the server stores it once.
    pending_record: ConsentRecord | None = None
    answer: ConsentAnswer | None = None


def next_step(step: Step, journey: Journey) -> Step | None:
    """The page after ``step``, or None at the end.

    Once a consent is recorded the customer goes straight on to Connect: the consent cannot be
    given twice, so pages before it are not offered again.
    """
    if journey.answer is not None and step < Step.CONNECT:
        return Step.CONNECT
    if step == Step.CONNECT:
        return None
    return Step(step + 1)


def build_consent_record(journey: Journey) -> ConsentRecord:
    """The record to send, made once per journey and reused on every retry."""
    if journey.pending_record is not None:
        return journey.pending_record
    if journey.session is None or journey.terms is None or journey.backup is None:
        raise ValueError("the journey is not complete")
    journey.pending_record = ConsentRecord(
        receipt_id=new_receipt_id(),
        session_code=journey.session.code,
        given_at=utc_now_iso(),
        name=journey.name.strip(),
        terms=TermsAccepted(
            id=journey.terms.id,
            version=journey.terms.version,
            sha256=journey.terms.sha256,
            language=journey.terms.language,
        ),
        acknowledgements=dict(journey.acknowledgements),
        open_apps=journey.open_apps,
        backup=journey.backup,
        client_version=__version__,
        os_family=os_family(),
    )
    return journey.pending_record


def forget_pending_if_changed(journey: Journey) -> None:
    """Drop the prepared record when the customer changed an answer before it was recorded,
    so what is sent is what they see; once recorded, nothing changes it."""
    if journey.answer is None and journey.pending_record is not None:
        record = journey.pending_record
        if (
            journey.session is None
            or record.session_code != journey.session.code
            or record.name != journey.name.strip()
            or record.acknowledgements != journey.acknowledgements
            or record.open_apps != journey.open_apps
            or record.backup != journey.backup
        ):
            journey.pending_record = None


def read_back_checklist(journey: Journey) -> list[Message]:
    """The numbered checklist the technician reads back over the phone: the same words on both sides."""
    items = [
        Message(QT_TRANSLATE_NOOP(CONTEXT, "You read and accepted the remote support terms.")),
    ]
    left = [app for app in journey.open_apps.left_open if app.category != "other"]
    if left:
        items.append(
            Message(
                QT_TRANSLATE_NOOP(CONTEXT, "You chose to leave open: {apps}."),
                {"apps": ", ".join(_app_names(left))},
            )
        )
    else:
        items.append(Message(QT_TRANSLATE_NOOP(CONTEXT, "No personal or confidential applications were left open.")))
    items.append(describe_backup(journey.backup))
    items.append(Message(QT_TRANSLATE_NOOP(CONTEXT, "You gave permission for this session only.")))
    return items


def _app_names(apps: tuple[AppSummary, ...] | list[AppSummary]) -> list[str]:
    return sorted({app.name for app in apps})
