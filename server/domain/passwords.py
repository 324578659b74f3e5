"""Technicians' passwords: the standard library's scrypt, a memory-hard hash (RFC 7914).

Stored as ``scrypt$<log2 n>$<r>$<p>$<salt>$<hash>`` (base64), so the cost can be raised later
and old hashes still verify. One hash takes about 16 MiB and some tens of milliseconds: callers
on the event loop hand it to a thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# n = 2**14, r = 8: 16 MiB per hash, OWASP's minimum for scrypt.
LOG2_N = 14
R = 8
P = 1
_SALT_BYTES = 16
_HASH_BYTES = 32
# Long enough that guessing through the slow-down is hopeless; 1024 keeps a pasted essay from
# becoming a way to make the server hash megabytes.
MIN_LENGTH = 12
MAX_LENGTH = 1024


class PasswordRefused(ValueError):
    """The new password does not meet the rules; the message says what to choose instead."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=2**log2_n, r=r, p=p, maxmem=2**log2_n * r * 129 * 2,
        dklen=_HASH_BYTES,
    )


def check_new_password(password: str, *, email: str = "") -> None:
    """Refuse a password that is too short, too long, or the account's own e-mail address."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"Choose a password of at least {MIN_LENGTH} characters; a few words make a good one.")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"Choose a password of at most {MAX_LENGTH} characters.")
    if email and password.strip().lower() == email.strip().lower():
        raise PasswordRefused("Choose a password that is not your e-mail address.")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, LOG2_N, R, P)
    return f"scrypt${LOG2_N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches ``stored``. With no stored hash (an unknown account, or one
    whose password was never set) it still does the work of one hash, so the answer's timing does
    not tell which e-mail addresses have accounts."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        scheme, log2_n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True), int(log2_n), int(r), int(p))
    except ValueError:
        _scrypt(password, b"\0" * _SALT_BYTES, LOG2_N, R, P)
        return False
    return hmac.compare_digest(actual, expected)
