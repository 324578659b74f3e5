"""Random secrets handed to people or browsers, and the digest the store keeps instead of them."""

from __future__ import annotations

import hashlib
import secrets

_ID_BYTES = 32


def new_id() -> str:
    """256 random bits, URL-safe: a login id, a set-password link, the body of an API token."""
    return secrets.token_urlsafe(_ID_BYTES)


def id_digest(value: str) -> str:
    """What the store keeps of a secret: its SHA-256, so a copy of the database signs nobody in.
    (The secrets are random, so no salt or slow hash is needed.)"""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
