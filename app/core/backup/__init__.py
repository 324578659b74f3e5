"""The backup check: what the computer says about backups, and a verification of one the
customer points at, ending in a verdict in plain words and the summary the consent record keeps.

- :mod:`.finders` — one small function per kind of backup the system knows about;
- :mod:`.walk`, :mod:`.locate`, :mod:`.verifier` — choose files at home and find them in the backup;
- :mod:`.verdict` — recent, old, incomplete or none, with what to do next;
- :mod:`.drives` — drives to offer, removable first; :mod:`.system` — the outside world, replaceable.
"""

from app.core.backup.drives import Drive, list_drives
from app.core.backup.finders import Evidence, find_backups, find_repository
from app.core.backup.progress import Progress, Throttle
from app.core.backup.system import BackupSystem
from app.core.backup.verdict import Verdict, describe, judge, summary_from_evidence
from app.core.backup.verifier import Verification, verify_backup

__all__ = [
    "BackupSystem",
    "Drive",
    "Evidence",
    "Progress",
    "Throttle",
    "Verdict",
    "Verification",
    "describe",
    "find_backups",
    "find_repository",
    "judge",
    "list_drives",
    "summary_from_evidence",
    "verify_backup",
]
