"""Session codes: the 9-digit number that ties a customer to one support session.

The code only ever selects a session on the brand's own server; nothing parsed here can choose
a server, a link or a file to open.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, UserFacingError

CODE_LENGTH = 9
EXAMPLE = "482 913 557"

_SEPARATORS = re.compile(r"[\s.\-\u00a0]+")
_DIGITS = re.compile(r"[0-9]{%d}" % CODE_LENGTH)


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
