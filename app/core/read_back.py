"""Sentences about the consent that the customer, the technician and the receipt all read the same."""

from __future__ import annotations

from app.core.consent_record import BackupSummary
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
