"""systemd's per-application scopes on Linux desktops, used to group an application's processes.

GNOME, KDE and others start every application in its own unit named after its app id
(``app-gnome-org.mozilla.firefox-2345.scope``, ``app-flatpak-org.signal.Signal-812.scope``, see
systemd's desktop environment integration document). Reading the unit's ``cgroup.procs`` gives
all of the application's processes in one read, and its name gives an app id the catalogue knows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
_UNIT = re.compile(r"^app-(?P<body>.+?)(?:@[0-9a-f]*)?(?:-[0-9]+)?\.(?:scope|service)$")


def app_ids_from_unit(unit: str) -> tuple[str, ...]:
    """Names a unit may give its application: the part after ``app-`` with and without the
    optional launcher prefix, and the snap name before ``_``."""
    match = _UNIT.match(unit)
    if match is None:
        return ()
    body = match.group("body").replace("\\x2d", "-")
    names = [body]
    if "-" in body:
        names.append(body.split("-", 1)[1])
    names += [n.split("_", 1)[0] for n in list(names) if "_" in n]
    return tuple(dict.fromkeys(names))


def unit_of(pid: int, proc_root: Path = Path("/proc")) -> str | None:
    """The cgroup v2 path of ``pid`` when it is an application unit, else None."""
    try:
        text = (proc_root / str(pid) / "cgroup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("0::"):
            path = line[3:].strip()
            return path if _UNIT.match(path.rsplit("/", 1)[-1]) else None
    return None


def members(path: str, root: Path = CGROUP_ROOT) -> set[int]:
    try:
        return {int(p) for p in (root / path.lstrip("/") / "cgroup.procs").read_text().split()}
    except (OSError, ValueError):
        return set()


def scope_of(pid: int, proc_root: Path = Path("/proc"), root: Path = CGROUP_ROOT) -> tuple[tuple[str, ...], set[int]]:
    path = unit_of(pid, proc_root)
    if path is None:
        return (), set()
    return app_ids_from_unit(path.rsplit("/", 1)[-1]), members(path, root)


def user_app_units(uid: int | None = None, root: Path = CGROUP_ROOT) -> list[tuple[tuple[str, ...], set[int]]]:
    """Every application unit of the user's systemd instance, with its processes; [] where
    systemd does not manage the session."""
    uid = os.getuid() if uid is None else uid
    base = root / "user.slice" / f"user-{uid}.slice" / f"user@{uid}.service"
    found: list[tuple[tuple[str, ...], set[int]]] = []
    if not base.is_dir():
        return found
    for directory, subdirs, _files in os.walk(base):
        unit = os.path.basename(directory)
        if _UNIT.match(unit):
            pids = members(os.path.relpath(directory, root), root)
            if pids:
                found.append((app_ids_from_unit(unit), pids))
            subdirs.clear()
    return found
