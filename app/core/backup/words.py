"""Phrases the backup check shares: names of backup kinds and how old something is."""

from __future__ import annotations

from typing import overload

from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message

DAY = 24 * 3600

KIND_NAMES = {
    "folder": QT_TRANSLATE_NOOP(CONTEXT, "Copy in a folder"),
    "file-history": QT_TRANSLATE_NOOP(CONTEXT, "Windows File History"),
    "onedrive": QT_TRANSLATE_NOOP(CONTEXT, "OneDrive folder backup"),
    "time-machine": QT_TRANSLATE_NOOP(CONTEXT, "Time Machine"),
    "deja-dup": QT_TRANSLATE_NOOP(CONTEXT, "Déjà Dup"),
    "restic": QT_TRANSLATE_NOOP(CONTEXT, "restic repository"),
    "borg": QT_TRANSLATE_NOOP(CONTEXT, "Borg repository"),
    "none": QT_TRANSLATE_NOOP(CONTEXT, "No backup"),
}


def kind_name(kind: str) -> Message:
    return Message(KIND_NAMES.get(kind, KIND_NAMES["none"]))


@overload
def age_seconds(moment: float, now: float) -> int: ...
@overload
def age_seconds(moment: float | None, now: float) -> int | None: ...
def age_seconds(moment: float | None, now: float) -> int | None:
    """Whole seconds since ``moment``; a time in the future (a clock off) counts as now."""
    return None if moment is None else max(0, int(now - moment))


def when(age: int) -> Message:
    """How long ago, in words a customer reads at a glance."""
    days = age // DAY
    if age < 3600:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "less than an hour ago"))
    if age < 2 * 3600:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "an hour ago"))
    if days == 0:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "{hours} hours ago"), {"hours": age // 3600})
    if days == 1:
        return Message(QT_TRANSLATE_NOOP(CONTEXT, "yesterday"))
    return Message(QT_TRANSLATE_NOOP(CONTEXT, "{days} days ago"), {"days": days})
