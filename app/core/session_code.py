"""Session codes: the 9-digit number that ties a customer to one support session.

A code reaches the launcher typed, as a command-line argument (the code itself or the emailed
join link), or in the launcher's own file name. Every way ends in :func:`parse_session_code`.
The code only ever selects a session on the brand's own server; nothing parsed here can choose
a server, a link or a file to open.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, UserFacingError

CODE_LENGTH = 9
EXAMPLE = "482 913 557"
# The one pattern of a session code in the whole tree (launcher, server, wire contract).
CODE_PATTERN = f"[0-9]{{{CODE_LENGTH}}}"

_SEPARATORS = re.compile(r"[\s.\-\u00a0]+")
_DIGITS = re.compile(CODE_PATTERN)


class SessionCodeError(UserFacingError):
    """The text is not a session code; ``error.message`` is a message for the customer."""


def _rejection(text: str) -> SessionCodeError:
    if not text.strip():
        return SessionCodeError(
            QT_TRANSLATE_NOOP(CONTEXT, "Type the 9-digit session code your technician gave you, like {example}."),
            example=EXAMPLE,
        )
    return SessionCodeError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "“{text}” is not a session code. A session code has 9 digits, like {example}: "
            "check it with your technician and type it again.",
        ),
        text=text.strip()[:40],
        example=EXAMPLE,
    )


def parse_session_code(text: str) -> str:
    """Return the 9 digits of a typed session code.

    Spaces, dashes and dots between digits are accepted (``482 913 557``, ``482-913-557``);
    anything else raises :class:`SessionCodeError` with a message that says what a code looks like.
    """
    if not isinstance(text, str):
        raise _rejection(str(text))
    digits = _SEPARATORS.sub("", text)
    if _DIGITS.fullmatch(digits) is None or not digits.isascii():
        raise _rejection(text)
    return digits


def is_session_code(text: str) -> bool:
    """True for exactly nine ASCII digits: the only form the API takes in a path."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def format_session_code(code: str) -> str:
    """Group a 9-digit code in threes so it is easy to read aloud: ``482 913 557``."""
    code = parse_session_code(code)
    return f"{code[0:3]} {code[3:6]} {code[6:9]}"


def code_from_argument(argument: str) -> str:
    """Return the session code carried by a command-line argument.

    The argument is either a code (``482913557``, ``482 913 557``, ``482-913-557``) or a support
    site join link (``https://<support site>/join/482913557``, also with a trailing slash or a
    ``?code=`` query). Only the code is taken from a link; its host is ignored, so a link cannot
    point the launcher at another server.
    """
    text = argument.strip()
    if "://" not in text:
        return parse_session_code(text)
    try:
        parts = urlsplit(text)
    except ValueError:
        raise _rejection(text) from None
    if parts.scheme.lower() not in ("https", "http"):
        raise _rejection(text)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[-2] == "join":
        return parse_session_code(segments[-1])
    codes = parse_qs(parts.query).get("code")
    if codes and len(codes) == 1 and segments in ([], ["join"]):
        return parse_session_code(codes[0])
    raise SessionCodeError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "This link does not carry a session code. Type the 9-digit code your technician "
            "gave you, like {example}.",
        ),
        example=EXAMPLE,
    )


# What browsers and desktops add to a downloaded or copied file's name: "name (1).exe", "name(2)".
_DUPLICATE_SUFFIX = re.compile(r" ?\([0-9]{1,3}\)\Z")
# Executable naming per platform: Windows .exe, a macOS .app bundle, a Linux AppImage or no extension.
_EXECUTABLE_EXTENSION = re.compile(r"\.(exe|app|appimage)\Z", re.IGNORECASE | re.ASCII)
# In a file name only dashes and spaces group the digits: a dot would read as an extension.
_NAME_CODE = r"(?P<code>[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{3})"


def _file_name(path: str) -> str:
    """The name the customer sees for the launcher at ``path``, any platform's separators.

    Inside a macOS bundle the running program is ``X.app/Contents/MacOS/<program>``: the bundle's
    name is the one that was downloaded, so it is the one that carries the code.
    """
    parts = [part for part in re.split(r"[\\/]", path) if part]
    for index, part in enumerate(parts[:-1]):
        if part.lower().endswith(".app") and parts[index + 1] == "Contents":
            return part
    return parts[-1] if parts else ""


def code_from_launcher_name(path: str, launcher_name: str) -> str | None:
    """Return the session code carried by the launcher's own file name, or None.

    ``path`` is where the launcher runs from (see :mod:`app.core.session_intake`), ``launcher_name``
    the brand's file name without a code (``Phonetex-Support``). Recognised, on any platform:
    ``Phonetex-Support-482913557.exe``, ``...-482-913-557``, ``...-482 913 557``, with the `` (1)``
    or ``(2)`` that browsers add to a second download, ending in ``.exe``, ``.app``, ``.AppImage``
    or nothing. A renamed launcher, or a name with anything else in it, carries no code: the
    customer types it. Never raises for any text.
    """
    if not isinstance(path, str) or not isinstance(launcher_name, str) or not launcher_name:
        return None
    name = _EXECUTABLE_EXTENSION.sub("", _file_name(path))
    name = _DUPLICATE_SUFFIX.sub("", name)
    # Download managers sometimes swap the dashes of a name for spaces or underscores.
    prefix = "[-_ ]".join(re.escape(word) for word in re.split(r"[-_ ]", launcher_name))
    match = re.fullmatch(prefix + "[-_ ]" + _NAME_CODE, name, re.IGNORECASE | re.ASCII)
    if match is None:
        return None
    return parse_session_code(match.group("code"))
