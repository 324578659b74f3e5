"""The verdict in words a home customer understands, and the part of it the consent record keeps.

Verdicts: *recent* (recent and complete), *old* (older than the brand's limit), *incomplete*
(files missing or older in it, or a copy on the same disk as the files), *none* (no backup
found). Only a verified backup can be recent and complete; what the computer merely says about
backups is recorded with its age and no coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.backup.finders import Evidence
from app.core.backup.verifier import (
    CANCELLED,
    CHECKED,
    COVERED,
    DIFFERENT,
    DRIVE_LOST,
    MISSING,
    NO_FOLDER,
    OWN_FILES,
    REPOSITORY,
    STALE,
    TIME_SLACK,
    FileResult,
    Verification,
)
from app.core.backup.words import DAY, age_seconds, kind_name, when
from app.core.consent_record import BackupSummary
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message

_COPY_DOCUMENTS = QT_TRANSLATE_NOOP(CONTEXT, "Copy your Documents folder to a USB drive, then press Check again.")


@dataclass(frozen=True)
class Verdict:
    verdict: str  # recent, old, incomplete, none
    kind: str
    age_seconds: int | None
    coverage: float | None  # None when nothing was compared
    headline: Message
    advice: Message
    notes: tuple[Message, ...] = ()
    # File names for the customer's screen only; never part of the summary.
    missing: tuple[str, ...] = ()
    older: tuple[str, ...] = ()  # stale or different
    changed_since: tuple[str, ...] = ()  # changed after the newest backup: not expected in it

    @property
    def verified_complete(self) -> bool:
        return self.verdict == "recent" and self.coverage is not None

    def summary(self, risk_acknowledged: bool) -> BackupSummary:
        return BackupSummary(self.verdict, self.kind, self.age_seconds, self.coverage, risk_acknowledged)


def _m(template: str, **params) -> Message:
    return Message(template, params)


def judge(check: Verification, now: float, max_age_days: int) -> Verdict | None:
    """The verdict on a finished check; None for a cancelled one (nothing was learnt)."""
    if check.outcome == CANCELLED:
        return None
    if check.outcome == NO_FOLDER:
        return _none(
            QT_TRANSLATE_NOOP(CONTEXT, "That folder or drive could not be opened."),
            QT_TRANSLATE_NOOP(CONTEXT, "Plug in your backup drive, choose it again, then press Check again."),
        )
    if check.outcome == OWN_FILES:
        return _none(
            QT_TRANSLATE_NOOP(CONTEXT, "That is where your files are, not a backup of them."),
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Choose the drive or folder your backup is on. No backup yet? Copy your Documents "
                "folder to a USB drive, then press Check again.",
            ),
        )
    if check.outcome == DRIVE_LOST:
        return _none(
            QT_TRANSLATE_NOOP(CONTEXT, "The backup drive stopped answering during the check."),
            QT_TRANSLATE_NOOP(CONTEXT, "Plug it in again, wait until it appears, then press Check again."),
        )
    if check.outcome == REPOSITORY:
        return _repository(check, now, max_age_days)
    assert check.outcome == CHECKED
    return _checked(check, now, max_age_days)


def _none(headline: str, advice: str, kind: str = "none", notes: tuple[Message, ...] = ()) -> Verdict:
    return Verdict("none", kind, None, None, Message(headline), Message(advice), notes)


def _repository(check: Verification, now: float, max_age_days: int) -> Verdict:
    age = age_seconds(check.newest_backup, now)
    tool = kind_name(check.layout)
    if age is None:
        return Verdict(
            "none",
            check.layout,
            None,
            None,
            _m(QT_TRANSLATE_NOOP(CONTEXT, "This {tool} holds no backup yet."), tool=tool),
            Message(_COPY_DOCUMENTS),
        )
    verdict = "recent" if age <= max_age_days * DAY else "old"
    return Verdict(
        verdict,
        check.layout,
        age,
        None,
        _m(QT_TRANSLATE_NOOP(CONTEXT, "This {tool} last saved a backup {when}."), tool=tool, when=when(age)),
        Message(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Its files are encrypted, so they cannot be compared with yours here. If it holds "
                "your Documents, Desktop and Pictures, tick the box below to go on.",
            )
        ),
    )


def _checked(check: Verification, now: float, max_age_days: int) -> Verdict:
    notes = _notes(check)
    if not check.results:
        return _none(
            QT_TRANSLATE_NOOP(CONTEXT, "There are no files to compare."),
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Your Documents, Desktop and Pictures folders hold no files to look for, so this "
                "check cannot tell whether the backup holds your files.",
            ),
            notes=notes,
        )
    if check.newest_backup is None or all(r.status == MISSING for r in check.results):
        return _none(
            QT_TRANSLATE_NOOP(CONTEXT, "No backup of your files was found there."),
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "None of the files looked for is in that folder. Copy your Documents folder to a "
                "USB drive, then press Check again.",
            ),
            kind=check.layout if check.layout != "folder" else "none",
            notes=notes,
        )
    compared = _Comparison.of(check, check.newest_backup, now)
    if compared.changed_since:
        notes += (
            _m(
                QT_TRANSLATE_NOOP(
                    CONTEXT,
                    "{count} of the files changed after your newest backup. They are listed below: "
                    "copy them too if they matter to you.",
                ),
                count=len(compared.changed_since),
            ),
        )
    if compared.age > max_age_days * DAY:
        return _old(compared, notes, max_age_days)
    if compared.gaps:
        return _incomplete(compared, notes)
    if check.same_disk:
        return _on_same_disk(compared, tuple(n for n in notes if n.template != _SAME_DISK))
    return _recent(compared, notes)


@dataclass(frozen=True)
class _Comparison:
    """What a check that found the backup learnt: how old it is and which files it lacks.
    A file changed after the newest backup is not expected in it, so it is no gap."""

    kind: str
    age: int
    total: int
    coverage: float
    gaps: tuple[FileResult, ...]  # missing or older in the backup, though not changed since
    changed_since: tuple[FileResult, ...]

    @classmethod
    def of(cls, check: Verification, newest: float, now: float) -> _Comparison:
        results = check.results
        uncovered = [r for r in results if r.status != COVERED]
        covered = len(results) - len(uncovered)
        return cls(
            kind=check.layout,
            age=age_seconds(newest, now),
            total=len(results),
            coverage=round(covered / len(results), 3),
            gaps=tuple(r for r in uncovered if r.mtime <= newest + TIME_SLACK),
            changed_since=tuple(r for r in uncovered if r.mtime > newest + TIME_SLACK),
        )

    def verdict(self, verdict: str, headline: Message, advice: Message, notes: tuple[Message, ...]) -> Verdict:
        return Verdict(
            verdict,
            self.kind,
            self.age,
            self.coverage,
            headline,
            advice,
            notes,
            missing=tuple(r.name for r in self.gaps if r.status == MISSING),
            older=tuple(r.name for r in self.gaps if r.status in (STALE, DIFFERENT)),
            changed_since=tuple(r.name for r in self.changed_since),
        )


def _old(compared: _Comparison, notes: tuple[Message, ...], max_age_days: int) -> Verdict:
    return compared.verdict(
        "old",
        _m(QT_TRANSLATE_NOOP(CONTEXT, "Your backup is old: its newest copy is from {when}."), when=when(compared.age)),
        _m(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "A backup should be less than {limit} days old. Plug in your backup drive, copy your "
                "Documents, Desktop and Pictures folders to it again, then press Check again.",
            ),
            limit=max_age_days,
        ),
        notes,
    )


def _incomplete(compared: _Comparison, notes: tuple[Message, ...]) -> Verdict:
    return compared.verdict(
        "incomplete",
        _m(
            QT_TRANSLATE_NOOP(CONTEXT, "Your backup is incomplete: {count} of the {total} files looked for are not in it as they are now."),
            count=len(compared.gaps),
            total=compared.total,
        ),
        Message(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Copy the files listed below (or your whole Documents folder) to your backup drive, "
                "then press Check again.",
            )
        ),
        notes,
    )


def _on_same_disk(compared: _Comparison, notes: tuple[Message, ...]) -> Verdict:
    return compared.verdict(
        "incomplete",
        Message(QT_TRANSLATE_NOOP(CONTEXT, "This copy is on the same disk as your files.")),
        Message(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "If that disk fails, your files and their copy are lost together: it is not a backup "
                "against disk failure. Copy your Documents folder to a USB drive, then press Check again.",
            )
        ),
        notes,
    )


def _recent(compared: _Comparison, notes: tuple[Message, ...]) -> Verdict:
    return compared.verdict(
        "recent",
        _m(QT_TRANSLATE_NOOP(CONTEXT, "Your backup is recent and complete: its newest copy is from {when}."), when=when(compared.age)),
        _m(
            QT_TRANSLATE_NOOP(CONTEXT, "All {total} files looked for are in it. You can go on."),
            total=compared.total - len(compared.changed_since),
        ),
        notes,
    )


_SAME_DISK = QT_TRANSLATE_NOOP(
    CONTEXT, "This copy is on the same disk as your files, so it does not protect them if that disk fails."
)


def _notes(check: Verification) -> tuple[Message, ...]:
    notes = []
    if check.same_disk:
        notes.append(Message(_SAME_DISK))
    if not check.walk_complete:
        notes.append(
            _m(
                QT_TRANSLATE_NOOP(CONTEXT, "Your folders are very large: the files were chosen from the first {count} only."),
                count=check.files_seen,
            )
        )
    if check.unreadable_folders:
        notes.append(
            _m(
                QT_TRANSLATE_NOOP(CONTEXT, "{count} folders or files could not be read and were left out."),
                count=check.unreadable_folders,
            )
        )
    hashed = sum(1 for r in check.results if r.hashed)
    if hashed:
        notes.append(
            _m(QT_TRANSLATE_NOOP(CONTEXT, "The content of {count} files was compared with their copies."), count=hashed)
        )
    return tuple(notes)


def summary_from_evidence(evidence: tuple[Evidence, ...], now: float, max_age_days: int, risk_acknowledged: bool) -> BackupSummary:
    """What to record before (or without) a check: the newest dated backup the computer knows of,
    its age and no coverage (nothing was compared), else a cloud sync, else none."""
    dated = [(e.newest, e) for e in evidence if e.newest is not None and not e.sync_only]
    if dated:
        newest, best = max(dated, key=lambda pair: pair[0])
        age = age_seconds(newest, now)
        verdict = "recent" if age <= max_age_days * DAY else "old"
        return BackupSummary(verdict, best.kind, age, None, risk_acknowledged)
    synced = [e for e in evidence if e.sync_only]
    kind = synced[0].kind if synced else "none"
    return BackupSummary("none", kind, None, None, risk_acknowledged)


def describe(evidence: Evidence, now: float) -> Message:
    """One line of what the computer says: kind, destination and how old the newest backup is."""
    name = kind_name(evidence.kind)
    if evidence.sync_only:
        line = _m(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "{kind}: {folders} kept in sync with OneDrive. That is cloud sync, not a dated backup: "
                "a file deleted or damaged here is deleted or damaged there too.",
            ),
            kind=name,
            folders=", ".join(evidence.folders),
        )
    elif evidence.newest is not None:
        line = _m(
            QT_TRANSLATE_NOOP(CONTEXT, "{kind} to {destination}: newest backup {when}."),
            kind=name,
            destination=evidence.destination,
            when=when(age_seconds(evidence.newest, now)),
        )
    elif evidence.destination:
        line = _m(
            QT_TRANSLATE_NOOP(CONTEXT, "{kind} to {destination}: no date of a backup found."),
            kind=name,
            destination=evidence.destination,
        )
    else:
        line = _m(QT_TRANSLATE_NOOP(CONTEXT, "{kind}:"), kind=name)
    if evidence.note is not None:
        line = _m(QT_TRANSLATE_NOOP(CONTEXT, "{line} {note}"), line=line, note=evidence.note)
    return line
