"""The parts of the computer the backup check looks at, gathered in one object tests can replace.

Nothing here touches the disk when the object is made, except platformdirs' reading of the
desktop's folder settings; the page builds it inside its worker.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import platformdirs
import psutil

from app.core.consent_record import os_family

TIME_MACHINE_PLIST = "/Library/Preferences/com.apple.TimeMachine.plist"
COMMAND_TIMEOUT = 5.0


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


def run_command(args: Sequence[str]) -> CommandResult | None:
    """Run a read-only system tool; None when it is not installed or does not answer in time."""
    try:
        done = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
            # No console window flashing up on Windows.
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return CommandResult(done.returncode, done.stdout, done.stderr)


def device_of(path: str) -> int:
    return os.stat(path).st_dev


@dataclass(frozen=True)
class BackupSystem:
    home: str
    # (name shown to the customer, path): Documents, Desktop and Pictures as the platform knows them.
    folders: tuple[tuple[str, str], ...]
    os: str = field(default_factory=os_family)
    local_appdata: str | None = None
    onedrive_roots: tuple[str, ...] = ()
    time_machine_plist: str | None = None
    run: Callable[[Sequence[str]], CommandResult | None] = run_command
    partitions: Callable[[], list] = psutil.disk_partitions
    device_of: Callable[[str], int] = device_of

    @classmethod
    def current(cls) -> BackupSystem:
        system = os_family()
        home = os.path.expanduser("~")
        folders = (
            ("Documents", platformdirs.user_documents_dir()),
            ("Desktop", platformdirs.user_desktop_dir()),
            ("Pictures", platformdirs.user_pictures_dir()),
        )
        onedrive = tuple(
            dict.fromkeys(
                os.environ[name] for name in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial") if os.environ.get(name)
            )
        )
        return cls(
            home=home,
            folders=folders,
            os=system,
            local_appdata=os.environ.get("LOCALAPPDATA") if system == "windows" else None,
            onedrive_roots=onedrive,
            time_machine_plist=TIME_MACHINE_PLIST if system == "macos" else None,
        )
