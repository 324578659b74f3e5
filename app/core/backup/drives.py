"""Drives a backup may be on, removable ones first (a USB drive is what most customers use)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

_REMOVABLE_PARENTS = ("/media/", "/run/media/", "/Volumes/")
_SYSTEM_PREFIXES = ("/boot", "/snap/", "/var/", "/usr", "/System/", "/private/", "/proc", "/sys", "/dev")
_VIRTUAL_FILESYSTEMS = {"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "autofs", "nsfs", "efivarfs"}


@dataclass(frozen=True)
class Drive:
    path: str
    label: str
    removable: bool


def list_drives(partitions: Callable[[], list], home: str) -> list[Drive]:
    """Drives other than the system and home disk, removable first; an unreadable table gives none."""
    try:
        table = partitions()
    except OSError:
        return []
    home_anchor = _anchor(home)
    drives: dict[str, Drive] = {}
    for part in table:
        mount = part.mountpoint
        if (
            not mount
            or mount in ("/", "/home", home_anchor)
            or mount.startswith(_SYSTEM_PREFIXES)
            or part.fstype in _VIRTUAL_FILESYSTEMS
            or "cdrom" in part.opts
        ):
            continue
        removable = "removable" in part.opts.split(",") or mount.startswith(_REMOVABLE_PARENTS)
        label = os.path.basename(mount.rstrip("/\\")) or mount
        drives.setdefault(mount, Drive(mount, label, removable))
    return sorted(drives.values(), key=lambda d: (not d.removable, d.path.lower()))


def _anchor(path: str) -> str:
    drive, _rest = os.path.splitdrive(path)
    return drive + os.sep if drive else os.sep
