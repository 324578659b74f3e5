"""The wizard's journey as data: the steps, what each has gathered, its gate and where it leads.

Qt-free so the flow is tested without a window. In the manner of Electrum's ``electrum/wizard.py``
navmap, :data:`NAVMAP` says for every step what is still missing before the customer may go on
(``None`` once the step is complete) and where each :class:`Event` leads from it; :data:`ANYWHERE`
holds the events that move the customer whichever step they are on. The Qt wizard and its pages
only ask (:func:`missing`, :func:`follow`, :func:`next_step`, :func:`start_step`) and store what
each page learnt in one :class:`Journey`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from types import MappingProxyType

from app import __version__
from app.core.consent_client import ConsentAnswer, SessionInfo
from app.core.consent_record import (
    ACKNOWLEDGEMENTS,
    BackupSummary,
    ConsentRecord,
    OpenAppsSummary,
    TermsAccepted,
    new_receipt_id,
    os_family,
    utc_now_iso,
)
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message
from app.core.read_back import checklist
from app.core.terms import Terms

# The acknowledgement the Terms page's tick gives (the Consent page asks the other ones).
TERMS_ACCEPTED = "terms_accepted"


class Step(IntEnum):
    SESSION = 0
    TERMS = 1
    OPEN_APPS = 2
    BACKUP = 3
    CONSENT = 4
    CONNECT = 5
    # Not a wizard page: the small "being supported" bar the wizard becomes once the session is live.
    SUPPORT = 6


WIZARD_PAGES = tuple(step for step in Step if step is not Step.SUPPORT)


class Event(Enum):
    """What can move the customer from one step to another."""

    NEXT = "next"  # the customer pressed Next (or Give permission) on a complete step
    CONSENT_RECORDED = "consent recorded"  # the server's answer to the consent arrived
    # The provider's program runs on this computer after its join link opened: the session is live.
    SUPPORT_STARTED = "support started"
    # The session's code expired before the consent was recorded (its time ran out, or the server
    # said so): the customer goes back to the Session page to enter a new code.
    SESSION_EXPIRED = "session expired"


@dataclass
class Journey:
    """Everything the customer has told the launcher in this run. Never written to disk:
    permission is for this session only."""

    session: SessionInfo | None = None
    # The session above has expired (before its consent was recorded): nothing may go on with it.
    session_expired: bool = False
    terms: Terms | None = None
    terms_accepted: bool = False
    # False until the list of open applications was actually read: the consent record must not
    # say "nothing left open" when nothing could be read.
    open_apps_listed: bool = False
    open_apps: OpenAppsSummary = field(default_factory=OpenAppsSummary)
    backup: BackupSummary | None = None
    name: str = ""
    acknowledgements: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ACKNOWLEDGEMENTS, False))
    # True while the consent is on its way to the server: nothing may change it meanwhile.
    sending: bool = False
    # A send failed in a way that only the very same record may go again (Retry): the consent
    # may already be on record, so Give permission (a possibly changed record) waits.
    awaiting_retry: bool = False
    # Kept once made so Retry re-sends the very same record: the server stores it once.
    pending_record: ConsentRecord | None = None
    answer: ConsentAnswer | None = None
    # The join link passed the allow-list and the browser took it.
    link_opened: bool = False


# --- the gates: what is still missing on each step ---------------------------------------------


_EXPIRED = QT_TRANSLATE_NOOP(
    CONTEXT, "The session code has expired. Press “Enter a new code” and type the new code your technician gives you."
)


def _session_missing(journey: Journey) -> Message | None:
    if journey.session_expired:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "The session code has expired. Type the new code your technician gives you."))
    session = journey.session
    if session is None or session.status != "open":
        return Message(
            QT_TRANSLATE_NOOP(CONTEXT, "Type the session code your technician gave you and wait until it has been checked.")
        )
    return None


_TERMS_TICK = QT_TRANSLATE_NOOP(CONTEXT, "Read the terms to the end, then tick “I have read and accept the terms”.")


def _terms_missing(journey: Journey) -> Message | None:
    if not journey.terms_accepted:
        return Message(_TERMS_TICK)
    return None


def _open_apps_missing(journey: Journey) -> Message | None:
    # Going on with applications still open is the customer's choice; only an unread list holds them.
    if not journey.open_apps_listed:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "Wait until the list of open applications has been read."))
    return None


def backup_verified(backup: BackupSummary | None) -> bool:
    """A recent backup checked file by file (not merely reported by the system)."""
    return backup is not None and backup.verdict == "recent" and backup.coverage is not None


def _backup_missing(journey: Journey) -> Message | None:
    backup = journey.backup
    if backup is None or not (backup.risk_acknowledged or backup_verified(backup)):
        return Message(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Check a recent backup, or tick “I understand I may lose data and have no recent backup”.",
            )
        )
    return None


def _consent_missing(journey: Journey) -> Message | None:
    if journey.sending:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "Your permission is being sent."))
    if journey.awaiting_retry:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "Press Retry to send the same permission again."))
    if journey.session is None:
        return _session_missing(journey)
    if not journey.acknowledgements.get(TERMS_ACCEPTED):
        return _terms_missing(journey) or Message(_TERMS_TICK)
    name_missing = not journey.name.strip()
    unticked = sum(1 for key in ACKNOWLEDGEMENTS if key != TERMS_ACCEPTED and not journey.acknowledgements.get(key))
    if name_missing and unticked:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "Type your full name and tick each line."))
    if name_missing:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "Type your full name."))
    if unticked:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "Tick each line ({count} left)."), {"count": unticked})
    return None


def _nothing_missing(_journey: Journey) -> Message | None:
    return None


def _while_live(gate: Callable[[Journey], Message | None]) -> Callable[[Journey], Message | None]:
    """A step after Session is held, whatever it gathered, once the session's code has expired."""

    def held(journey: Journey) -> Message | None:
        return Message(_EXPIRED) if journey.session_expired else gate(journey)

    held.__qualname__ = f"while live: {gate.__name__}"
    return held


# --- the transitions ---------------------------------------------------------------------------

# Where an event leads: a step, a rule choosing one from the journey, or nowhere (None).
Target = Step | Callable[[Journey], "Step | None"] | None


def _onward(step: Step) -> Callable[[Journey], Step]:
    """Next leads to ``step``, unless the consent is already recorded: it cannot be given twice,
    so the pages before Connect are not offered again."""

    def rule(journey: Journey) -> Step:
        return Step.CONNECT if journey.answer is not None else step

    rule.__qualname__ = f"onward to {step.name}"
    return rule


def _consent_recorded(journey: Journey) -> bool:
    return journey.answer is not None


def _session_unless_recorded(journey: Journey) -> Step | None:
    return None if _consent_recorded(journey) else Step.SESSION


def _connect_once_recorded(journey: Journey) -> Step | None:
    return Step.CONNECT if _consent_recorded(journey) else None


def _bar_once_live(journey: Journey) -> Step | None:
    """The bar replaces the wizard only for a session this run opened with a recorded consent."""
    return Step.SUPPORT if journey.answer is not None and journey.link_opened else None


@dataclass(frozen=True)
class StepRules:
    # What the customer still has to do before going on; None when the step is complete.
    missing: Callable[[Journey], Message | None]
    # Where each event leads from this step; an event not named here falls back to ANYWHERE.
    on: Mapping[Event, Target] = field(default_factory=dict)
    # A commit step's Next starts its action (Give permission sends the consent); the customer
    # leaves it only once this says the action is done, through the event that reports it.
    committed: Callable[[Journey], bool] | None = None
    last: bool = False  # the wizard's final page (Finish instead of Next)


NAVMAP: Mapping[Step, StepRules] = MappingProxyType(
    {
        Step.SESSION: StepRules(_session_missing, {Event.NEXT: _onward(Step.TERMS)}),
        Step.TERMS: StepRules(_while_live(_terms_missing), {Event.NEXT: _onward(Step.OPEN_APPS)}),
        Step.OPEN_APPS: StepRules(_while_live(_open_apps_missing), {Event.NEXT: _onward(Step.BACKUP)}),
        Step.BACKUP: StepRules(_while_live(_backup_missing), {Event.NEXT: _onward(Step.CONSENT)}),
        Step.CONSENT: StepRules(
            _while_live(_consent_missing),
            {Event.NEXT: Step.CONNECT, Event.CONSENT_RECORDED: Step.CONNECT},
            committed=_consent_recorded,
        ),
        # Once recorded, the consent stands: the Connect page shows the session's end itself.
        Step.CONNECT: StepRules(
            _nothing_missing,
            {
                Event.NEXT: None,
                Event.CONSENT_RECORDED: None,
                Event.SESSION_EXPIRED: None,
                Event.SUPPORT_STARTED: _bar_once_live,
            },
            last=True,
        ),
        # From the bar there is no way back into the wizard: the consent is spent.
        Step.SUPPORT: StepRules(
            _nothing_missing,
            {Event.NEXT: None, Event.CONSENT_RECORDED: None, Event.SUPPORT_STARTED: None, Event.SESSION_EXPIRED: None},
        ),
    }
)

# Events that lead to the same place from wherever the customer is.
ANYWHERE: Mapping[Event, Target] = MappingProxyType(
    {
        Event.CONSENT_RECORDED: _connect_once_recorded,
        Event.SESSION_EXPIRED: _session_unless_recorded,
    }
)


def missing(step: Step, journey: Journey) -> Message | None:
    """What the customer still has to do on ``step``, or None when they may go on."""
    return NAVMAP[step].missing(journey)


def is_complete(step: Step, journey: Journey) -> bool:
    return missing(step, journey) is None


def follow(step: Step, event: Event, journey: Journey) -> Step | None:
    """Where ``event`` leads from ``step``, or None when it leads nowhere.

    Next never leaves a step that is not complete, nor a commit step whose action is not done.
    """
    rules = NAVMAP[step]
    if event is Event.NEXT and not is_complete(step, journey):
        return None
    if event is Event.NEXT and rules.committed is not None and not rules.committed(journey):
        return None
    target = rules.on[event] if event in rules.on else ANYWHERE.get(event)
    return target(journey) if callable(target) else target


def next_step(step: Step, journey: Journey) -> Step | None:
    """The page after ``step`` (whether or not it may be reached yet), or None at the end.

    The Qt wizard asks this to lay out its buttons (Next, Give permission or Finish) as well as
    on Next, so it ignores the gates; :func:`follow` applies them.
    """
    target = NAVMAP[step].on.get(Event.NEXT)
    return target(journey) if callable(target) else target


def start_step(_journey: Journey) -> Step:
    """Where a run begins."""
    return Step.SESSION


def resume_from(journey: Journey, session: SessionInfo, record: ConsentRecord, answer: ConsentAnswer) -> None:
    """A consent this computer kept for ``session`` was answered again: the journey is the one
    that gave it, as the record says (what was open, the backup, the name), and it is recorded."""
    journey.session = session
    journey.terms_accepted = True
    journey.open_apps_listed = True
    journey.open_apps = record.open_apps
    journey.backup = record.backup
    journey.name = record.name
    journey.acknowledgements = dict(record.acknowledgements)
    journey.pending_record = record
    journey.answer = answer


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
    """The numbered checklist the technician reads back over the phone: the same words on both
    sides (app.core.read_back.checklist; the server's copy of the consent carries them too)."""
    return checklist(journey.open_apps, journey.backup)
