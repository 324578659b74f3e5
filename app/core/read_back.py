"""Sentences about the consent that the customer, the technician and the receipt all read the same.

Worded so that either side can read them aloud (no "you", no "I"): the customer reads the
checklist to the technician, the technician reads the server's copy of it back, and the words are
the same (:func:`checklist` for both).
"""

from __future__ import annotations

from app.core.consent_record import AppSummary, BackupSummary, ConsentRecord, OpenAppsSummary
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message


def describe_backup(backup: BackupSummary | None) -> Message:
    """The backup line of the summary and the read-back checklist, true to what was checked."""
    if backup is not None and backup.verdict == "recent" and backup.coverage is not None:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "A recent backup was checked against the files on this computer."))
    if backup is not None and backup.verdict == "recent":
        # Found in the system's own records (File History, Time Machine), not compared file by file.
        return Message(
            QT_TRANSLATE_NOOP(
                CONTEXT, "The computer reports a recent backup; it was not checked file by file, and the risk was accepted."
            )
        )
    return Message(QT_TRANSLATE_NOOP(CONTEXT, "No verified recent backup: the risk of losing data was accepted."))


def checklist(open_apps: OpenAppsSummary, backup: BackupSummary | None) -> list[Message]:
    """The numbered checklist read over the phone. The Connect page makes it from the journey, the
    server's copy of the consent and the technician's console from the stored record: the same
    words on both sides, because both come from here."""
    items = [Message(QT_TRANSLATE_NOOP(CONTEXT, "The remote support terms were read and accepted."))]
    left = [app for app in open_apps.left_open if app.category != "other"]
    if left:
        items.append(
            Message(QT_TRANSLATE_NOOP(CONTEXT, "Left open by choice: {apps}."), {"apps": ", ".join(app_names(left))})
        )
    else:
        items.append(Message(QT_TRANSLATE_NOOP(CONTEXT, "No personal or confidential applications were left open.")))
    items.append(describe_backup(backup))
    items.append(Message(QT_TRANSLATE_NOOP(CONTEXT, "Permission was given for this session only.")))
    return items


def checklist_for_record(record: ConsentRecord) -> list[Message]:
    """The checklist of a recorded consent (what the console shows beside the customer's screen)."""
    return checklist(record.open_apps, record.backup)


def app_names(apps: tuple[AppSummary, ...] | list[AppSummary]) -> list[str]:
    return sorted({app.name for app in apps})
