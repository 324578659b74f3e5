"""What the computer already says about backups, read without administrator rights.

One small function per kind; each returns :class:`Evidence` or nothing, and none raises for a
missing or unreadable file: :func:`find_backups` runs them all and keeps what they found.
"""

from __future__ import annotations

import glob
import logging
import os
import plistlib
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.core.backup.layouts import file_history_name, repository_kind, repository_newest, time_machine_time
from app.core.backup.system import BackupSystem, CommandResult
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message

log = logging.getLogger(__name__)

# Reading a File History target for its newest dated copy stops at these limits.
_FH_SCAN_ENTRIES = 50_000
_FH_SCAN_SECONDS = 3.0


@dataclass(frozen=True)
class Evidence:
    kind: str
    destination: str  # shown on the customer's screen only, never recorded
    newest: float | None  # when the newest backup was made; None for a sync or when unknown
    sync_only: bool = False  # cloud sync: deletions and damage reach the copy too
    folders: tuple[str, ...] = ()  # for a sync: which home folders it holds
    note: Message | None = None


# --- Windows File History ----------------------------------------------------------------------


def find_file_history(local_appdata: str | None) -> Evidence | None:
    """File History's configuration under %LOCALAPPDATA% and the dated copies on its target."""
    if not local_appdata:
        return None
    config_dir = os.path.join(local_appdata, "Microsoft", "Windows", "FileHistory", "Configuration")
    config = _read_file_history_config(config_dir)
    if config is None:
        return None
    target_url = config.findtext("Target/TargetUrl") or ""
    if not target_url.strip():
        return None
    destination = (config.findtext("Target/TargetName") or target_url).strip()
    store = _native(config.findtext("Target/TargetBackupStorePath") or "")
    data = os.path.join(_native(target_url), store) if store else _native(target_url)
    newest = _newest_file_history_stamp(data)
    note = None
    if newest is None and not os.path.isdir(data):
        note = Message(QT_TRANSLATE_NOOP(CONTEXT, "Its backup drive is not plugged in."))
        # The local catalogue is rewritten at every backup run: the best date we have.
        newest = _mtime(config.findtext("LocalCatalogPath1") or os.path.join(config_dir, "Catalog1.edb"))
    if (config.findtext("DPStatus") or "").strip().upper() == "DISABLED":
        note = Message(QT_TRANSLATE_NOOP(CONTEXT, "File History is turned off."))
    return Evidence("file-history", destination, newest, note=note)


def _read_file_history_config(config_dir: str):
    for name in ("Config1.xml", "Config2.xml"):
        try:
            return ET.parse(os.path.join(config_dir, name)).getroot()
        except (OSError, ET.ParseError):
            continue
    return None


def _native(path: str) -> str:
    """File History writes Windows paths; elsewhere (the tests) read them with this system's separator."""
    return path.replace("\\", os.sep).rstrip(os.sep) if os.sep != "\\" else path


def _newest_file_history_stamp(data: str) -> float | None:
    deadline = time.monotonic() + _FH_SCAN_SECONDS
    newest, seen, stack = None, 0, [data]
    while stack and seen < _FH_SCAN_ENTRIES and time.monotonic() < deadline:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        continue
                    parsed = file_history_name(entry.name)
                    if parsed is not None and (newest is None or parsed[1] > newest):
                        newest = parsed[1]
        except OSError:
            continue
    return newest


def _mtime(path: str) -> float | None:
    try:
        return os.stat(_native(path)).st_mtime
    except OSError:
        return None


# --- OneDrive folder backup ----------------------------------------------------------------------


def find_onedrive(folders: Sequence[tuple[str, str]], onedrive_roots: Sequence[str]) -> Evidence | None:
    """Documents, Desktop or Pictures redirected into the OneDrive folder: a cloud sync."""
    for root in onedrive_roots:
        prefix = os.path.normcase(os.path.normpath(root)).rstrip(os.sep) + os.sep
        synced = tuple(name for name, path in folders if os.path.normcase(os.path.normpath(path)).startswith(prefix))
        if synced:
            return Evidence("onedrive", root, None, sync_only=True, folders=synced)
    return None


def onedrive_roots_on_macos(home: str) -> tuple[str, ...]:
    return tuple(sorted(glob.glob(os.path.join(home, "Library", "CloudStorage", "OneDrive*"))))


# --- macOS Time Machine -------------------------------------------------------------------------

_FULL_DISK_ACCESS = QT_TRANSLATE_NOOP(
    CONTEXT,
    "macOS did not let this program read the Time Machine settings. To show them, allow it in "
    "System Settings > Privacy & Security > Full Disk Access, or check your backup drive below.",
)


def find_time_machine(plist_path: str | None, run: Callable[[Sequence[str]], CommandResult | None]) -> list[Evidence]:
    """Time Machine's destinations and snapshot dates from its preferences file, and ``tmutil``."""
    if not plist_path:
        return []
    prefs, prefs_refused = _time_machine_prefs(plist_path)
    found = _time_machine_destinations(prefs)
    latest, tmutil_refused = _tmutil_latest_backup(run)
    if latest is not None and not any(e.newest is not None and e.newest >= latest[1] for e in found):
        found.append(Evidence("time-machine", latest[0], latest[1]))
    if (prefs_refused or tmutil_refused) and not any(e.newest is not None for e in found):
        found.append(Evidence("time-machine", "", None, note=Message(_FULL_DISK_ACCESS)))
    return found


def _time_machine_prefs(path: str) -> tuple[dict, bool]:
    """Time Machine's preferences ({} when unreadable), and whether macOS refused to let this
    program read them (it needs Full Disk Access)."""
    try:
        with open(path, "rb") as stream:
            prefs = plistlib.load(stream)
    except PermissionError:
        return {}, True
    except (OSError, plistlib.InvalidFileException, ValueError):
        return {}, False
    return (prefs if isinstance(prefs, dict) else {}), False


def _time_machine_destinations(prefs: dict) -> list[Evidence]:
    destinations = prefs.get("Destinations")
    found: list[Evidence] = []
    for destination in destinations if isinstance(destinations, list) else []:
        if not isinstance(destination, dict):
            continue
        name = destination.get("LastKnownVolumeName") or destination.get("NetworkURL") or "Time Machine"
        snapshots = destination.get("SnapshotDates")
        dates = [d for d in snapshots if isinstance(d, datetime)] if isinstance(snapshots, list) else []
        newest = max(dates).replace(tzinfo=UTC).timestamp() if dates else None  # plist dates are UTC
        found.append(Evidence("time-machine", str(name), newest))
    return found


def _tmutil_latest_backup(run: Callable[[Sequence[str]], CommandResult | None]) -> tuple[tuple[str, float] | None, bool]:
    """Where and when the newest backup ``tmutil latestbackup`` names was made, and whether it
    asked for Full Disk Access."""
    latest = run(["tmutil", "latestbackup"])
    if latest is None:
        return None, False
    if "Full Disk Access" in latest.stdout + latest.stderr:
        return None, True
    if latest.returncode != 0 or not latest.stdout.strip():
        return None, False
    path = latest.stdout.strip().splitlines()[-1]
    taken = time_machine_time(os.path.basename(path.rstrip("/")))
    if taken is None:
        return None, False
    volume = re.match(r"^/Volumes/([^/]+)", path)
    return (volume[1] if volume else path, taken), False


# --- Linux Déjà Dup ----------------------------------------------------------------------------


def find_deja_dup(run: Callable[[Sequence[str]], CommandResult | None]) -> Evidence | None:
    """Déjà Dup's ``last-backup`` setting and where it backs up to, read through ``gsettings``."""
    last = _gsetting(run, "org.gnome.DejaDup", "last-backup")
    if not last:
        return None
    try:
        moment = datetime.fromisoformat(last.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    backend = _gsetting(run, "org.gnome.DejaDup", "backend") or ""
    if backend == "drive":
        destination = " ".join(
            filter(None, (_gsetting(run, "org.gnome.DejaDup.Drive", "name"), _gsetting(run, "org.gnome.DejaDup.Drive", "folder")))
        )
    elif backend == "remote":
        destination = _gsetting(run, "org.gnome.DejaDup.Remote", "uri") or ""
    elif backend in ("local", "file"):
        destination = _gsetting(run, "org.gnome.DejaDup.Local", "folder") or ""
    else:
        destination = {"google": "Google Drive", "microsoft": "Microsoft OneDrive"}.get(backend, backend)
    return Evidence("deja-dup", destination, moment.timestamp())


def _gsetting(run, schema: str, key: str) -> str | None:
    answer = run(["gsettings", "get", schema, key])
    if answer is None or answer.returncode != 0:
        return None  # gsettings missing, or Déjà Dup not installed (no such schema)
    value = answer.stdout.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value


# --- restic and borg ---------------------------------------------------------------------------


def find_repository(folder: str) -> Evidence | None:
    """A restic or borg repository the customer names: its kind and its newest backup's time."""
    kind = repository_kind(folder)
    if kind is None:
        return None
    return Evidence(kind, folder, repository_newest(folder, kind))


# --- all of them -------------------------------------------------------------------------------


def find_backups(system: BackupSystem) -> tuple[Evidence, ...]:
    """Every finder that fits this system; one failing does not hide the others' answers."""
    roots = system.onedrive_roots
    if system.os == "macos" and not roots:
        roots = onedrive_roots_on_macos(system.home)
    jobs: list[Callable[[], Evidence | list[Evidence] | None]] = [
        lambda: find_file_history(system.local_appdata),
        lambda: find_onedrive(system.folders, roots),
        lambda: find_time_machine(system.time_machine_plist, system.run),
    ]
    if system.os == "linux":
        jobs.append(lambda: find_deja_dup(system.run))
    found: list[Evidence] = []
    for job in jobs:
        try:
            answer = job()
        except Exception:
            log.exception("a backup finder failed")
            continue
        if isinstance(answer, Evidence):
            found.append(answer)
        elif answer:
            found.extend(answer)
    return tuple(found)
