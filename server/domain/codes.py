"""The two codes people read aloud: 9-digit session codes and short consent reference codes."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: a reference is read over the phone and typed back by the technician.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6

_SESSION_CODE = re.compile(r"[0-9]{9}")


def new_session_code() -> str:
    """Nine random digits; never a leading 0, which spreadsheets and phones like to drop."""
    return secrets.choice("123456789") + "".join(secrets.choice("0123456789") for _ in range(8))


def is_session_code(text: str) -> bool:
    """True for exactly nine ASCII digits, the only form the API takes in a path."""
    return _SESSION_CODE.fullmatch(text) is not None


def new_reference() -> str:
    """A reference such as ``K7P-4QX``: grouped in threes so it is said in two breaths."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{chars[:3]}-{chars[3:]}"
