"""``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?options]``: checked, opened, and named in
messages without its password."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql", "postgres")
EXAMPLE = "postgresql://phonetex@db.internal:5432/consents"


class DatabaseUrlError(ValueError):
    """The address is not one we can use; the message says what one looks like."""


def is_postgresql_url(text: str) -> bool:
    return text.split("://", 1)[0].lower() in SCHEMES and "://" in text


def check_url(url: str) -> str:
    """``url`` if it names a PostgreSQL database, else :class:`DatabaseUrlError`."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise DatabaseUrlError(f"{redact(url)} is not a valid database address; it looks like {EXAMPLE}.") from None
    if parts.scheme.lower() not in SCHEMES:
        raise DatabaseUrlError(f"The database address must start with postgresql://, like {EXAMPLE}.")
    if not unquote(parts.path.lstrip("/")):
        raise DatabaseUrlError(f"The database address names no database; it looks like {EXAMPLE}.")
    return url.strip()


def redact(url: str) -> str:
    """The address with any password replaced by ``***``, for logs and messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an unreadable database address)"
    if ":" in host:  # an IPv6 literal goes back into brackets
        host = f"[{host}]"
    user = parts.username or ""
    if parts.password is not None:
        user += ":***"
    netloc = f"{user}@{host}" if user else host
    if port is not None:
        netloc += f":{port}"
    # The query may carry password=...; keep only the option names.
    query = "&".join(item.split("=", 1)[0] + ("=***" if "=" in item else "") for item in parts.query.split("&") if item)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """One connection to the database at ``url``; failures say where, never the password."""
    import psycopg

    try:
        return psycopg.connect(check_url(url), **options)
    except psycopg.Error as exc:
        raise DatabaseUrlError(f"Cannot open the database {redact(url)}: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split("\n")[0].split()) or type(exc).__name__
    return text if text.endswith(".") else text + "."
