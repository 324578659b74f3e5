"""Sentences about the consent that the customer, the technician and the receipt all read the same."""

from __future__ import annotations

from app.core.consent_record import AppSummary, BackupSummary, ConsentRecord, OpenAppsSummary
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message


def describe_backup(backup: BackupSummary | None) -> Message:
    """The backup line of the summary and the read-back checklist, true to what was checked."""
    if backup is not None and backup.verdict == "recent" and backup.coverage is not None:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "You have a recent backup, checked against your files."))
    if backup is not None and backup.verdict == "recent":
        # Found in the system's own records (File History, Time Machine), not compared file by file.
        return Message(
            QT_TRANSLATE_NOOP(
                CONTEXT, "Your computer reports a recent backup; it was not checked file by file, and you accepted the risk."
            )
        )
    return Message(QT_TRANSLATE_NOOP(CONTEXT, "You have no verified recent backup and accepted the risk of losing data."))


def checklist(open_apps: OpenAppsSummary, backup: BackupSummary | None) -> list[Message]:
    """The numbered checklist the technician reads back over the phone. The Connect page makes it
    from the journey and the technician's console from the stored record: the same words on both
    sides, because both come from here."""
    items = [
        Message(QT_TRANSLATE_NOOP(CONTEXT, "You read and accepted the remote support terms.")),
    ]
    left = [app for app in open_apps.left_open if app.category != "other"]
    if left:
        items.append(
            Message(
                QT_TRANSLATE_NOOP(CONTEXT, "You chose to leave open: {apps}."),
                {"apps": ", ".join(app_names(left))},
            )
        )
    else:
        items.append(Message(QT_TRANSLATE_NOOP(CONTEXT, "No personal or confidential applications were left open.")))
    items.append(describe_backup(backup))
    items.append(Message(QT_TRANSLATE_NOOP(CONTEXT, "You gave permission for this session only.")))
    return items


def checklist_for_record(record: ConsentRecord) -> list[Message]:
    """The checklist of a recorded consent (what the console shows beside the customer's screen)."""
    return checklist(record.open_apps, record.backup)


def app_names(apps: tuple[AppSummary, ...] | list[AppSummary]) -> list[str]:
    return sorted({app.name for app in apps})
