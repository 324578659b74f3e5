"""The console's cookies and CSRF tokens: signed values, checked in constant time.

A signed-in browser holds one cookie, ``__Host-phonetex-console``: a random login id and its
HMAC-SHA256 under the server's console secret. The login id is also looked up in the database,
so signing out or disabling an account ends it at once; the signature lets a forged or tampered
cookie be refused before any lookup. A browser not signed in gets a random ``__Host-`` visitor
cookie instead, so the sign-in and set-password forms have a CSRF token too.

``__Host-`` makes the browser insist on Secure, Path=/ and no Domain; the cookies are also
HttpOnly and SameSite=Strict. Browsers treat loopback as a secure origin, so this works for the
demo and the tests on plain http://127.0.0.1.

Every form carries ``csrf``: an HMAC of the cookie's id, so a page from another site can neither
read nor make one (a synchronizer token that needs no storage).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

LOGIN_COOKIE = "__Host-phonetex-console"
VISITOR_COOKIE = "__Host-phonetex-visitor"
# A working day and a bit: a technician signs in in the morning and is not thrown out mid-call.
LOGIN_SECONDS = 12 * 60 * 60
VISITOR_SECONDS = 2 * 60 * 60


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def signed(secret: bytes, value: str) -> str:
    return f"{value}.{_mac(secret, 'cookie', value)}"


def unsigned(secret: bytes, cookie: str | None) -> str | None:
    """The value of a cookie made by :func:`signed`, or None for anything else."""
    if not cookie or len(cookie) > 200:
        return None
    value, dot, signature = cookie.rpartition(".")
    if not dot or not value:
        return None
    if not hmac.compare_digest(signature.encode("ascii", "replace"), _mac(secret, "cookie", value).encode("ascii")):
        return None
    return value


def csrf_token(secret: bytes, browser_id: str) -> str:
    return _mac(secret, "csrf", browser_id)


def csrf_ok(secret: bytes, browser_id: str | None, given: str | None) -> bool:
    if not browser_id or not given:
        return False
    return hmac.compare_digest(given.encode("ascii", "replace"), csrf_token(secret, browser_id).encode("ascii"))


def cookie_options(max_age: int) -> dict:
    """Options for ``Response.set_cookie``: what ``__Host-`` requires, HttpOnly and SameSite=Strict."""
    return {"max_age": max_age, "path": "/", "secure": True, "httponly": True, "samesite": "strict"}
