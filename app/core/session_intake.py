"""Which session code the launcher starts with, and where it came from.

Precedence: a command-line argument (a code or the emailed join link), else the launcher's own
file name. Either way the code is only filled in on the Session page, where the customer sees it,
can correct it, and sees what the server says about it before going on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.session_code import SessionCodeError, code_from_argument, code_from_launcher_name


@dataclass(frozen=True)
class Intake:
    """The code to fill in (or None) and, when the argument was not a code, why (for the page)."""

    code: str | None
    error: SessionCodeError | None = None


def launcher_path(
    argv0: str | None = None,
    *,
    frozen: bool | None = None,
    executable: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The path of the file the customer started; defaults come from this process.

    A PyInstaller build's ``sys.argv[0]`` is whatever the desktop passed (sometimes a bare name or
    a symlink); ``sys.executable`` is the real file. An AppImage runs its program from a temporary
    mount, so its runtime names the downloaded file in ``APPIMAGE``. From source, ``sys.argv[0]``.
    """
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    environ = os.environ if environ is None else environ
    if frozen:
        return environ.get("APPIMAGE") or (sys.executable if executable is None else executable)
    return sys.argv[0] if argv0 is None else argv0


def initial_session(argument: str | None, launcher_file: str, launcher_name: str) -> Intake:
    """The code given on the command line, else the one in the launcher's file name, else none.

    An argument that is not a code wins over the file name all the same: the customer (or whoever
    wrote the link) meant that argument, so the page says what was wrong with it instead of
    silently showing a different code.
    """
    if argument is not None:
        try:
            return Intake(code_from_argument(argument))
        except SessionCodeError as error:
            return Intake(None, error)
    return Intake(code_from_launcher_name(launcher_file, launcher_name))
