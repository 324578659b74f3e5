"""A customer account that has never run the launcher: fresh HOME, XDG folders, TMPDIR and cwd,
and no D-Bus session bus (none of the developer's: the launcher must cope without one and start none).

Used by the tests that run the launcher as a separate process and then list every file it left.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDERS = ("home", "tmp", "cwd", "config", "cache", "data", "state", "runtime")


def fresh_user_env(root: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Make the folders under ``root``; return them and an environment that points at them."""
    folders = {name: root / name for name in FOLDERS}
    for folder in folders.values():
        folder.mkdir(mode=0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "QT_", "DISPLAY", "DBUS_", "WAYLAND_"))
    }
    env.update(
        HOME=str(folders["home"]),
        TMPDIR=str(folders["tmp"]),
        XDG_CONFIG_HOME=str(folders["config"]),
        XDG_CACHE_HOME=str(folders["cache"]),
        XDG_DATA_HOME=str(folders["data"]),
        XDG_STATE_HOME=str(folders["state"]),
        XDG_RUNTIME_DIR=str(folders["runtime"]),
    )
    return folders, env


def files_left(root: Path) -> list[str]:
    """Every file (not folder) below ``root``, relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir())
