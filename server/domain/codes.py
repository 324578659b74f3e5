"""The two codes people read aloud: 9-digit session codes and short consent reference codes."""

from __future__ import annotations

import secrets

from app.core.contract import REFERENCE_ALPHABET
from app.core.session_code import is_session_code

__all__ = ["REFERENCE_ALPHABET", "REFERENCE_LENGTH", "is_session_code", "new_reference", "new_session_code"]

REFERENCE_LENGTH = 6


def new_session_code() -> str:
    """Nine random digits; never a leading 0, which spreadsheets and phones like to drop."""
    return secrets.choice("123456789") + "".join(secrets.choice("0123456789") for _ in range(8))


def new_reference() -> str:
    """A reference such as ``K7P-4QX``: grouped in threes so it is said in two breaths."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{chars[:3]}-{chars[3:]}"
