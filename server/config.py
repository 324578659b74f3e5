"""How one consent server runs: its database, the technicians' token and its public address."""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from server.domain.limits import LookupLimit
from server.providers.errors import ProviderSettingsError
from server.providers.settings import ProviderSettings

TOKEN_ENV = "PHONETEX_TECHNICIAN_TOKEN"


class ConfigError(ValueError):
    """A setting is unusable; the message is one line for whoever started the server."""


@dataclass(frozen=True)
class TransportLimits:
    """What one connection may cost the server (server.web.guarded_http)."""

    # A real request head (a consent POST with its headers) is well under 2 KiB.
    max_head_bytes: int = 16 * 1024
    # From the connection (or the previous answer) to the end of the next request's head.
    head_seconds: float = 10.0
    # Open connections per server process; beyond that a new one is answered 503 and closed.
    max_connections: int = 1000

    def __post_init__(self) -> None:
        if not (self.max_head_bytes > 0 and self.max_connections > 0 and 0 < self.head_seconds < math.inf):
            raise ValueError("transport limits must be positive")


# A token a script cannot guess: token_urlsafe(32) has 43 characters of 64 kinds.
MIN_TOKEN_LENGTH = 24
MIN_TOKEN_DISTINCT = 10


def token_problem(token: str) -> str | None:
    """Why ``token`` is too weak to guard the technician routes of a server on the internet."""
    if len(token) < MIN_TOKEN_LENGTH:
        return f"is shorter than {MIN_TOKEN_LENGTH} characters"
    if len(set(token)) < MIN_TOKEN_DISTINCT:
        return f"uses fewer than {MIN_TOKEN_DISTINCT} different characters"
    return None


def normalise_public_url(url: str) -> str:
    """``https://support.example/`` → ``https://support.example``: customer links append ``/join/…``."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise ConfigError(f"The public URL {url!r} is not a valid web address.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"The public URL {url!r} must start with https:// (or http://) and name a host.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"The public URL {url!r} must not carry a query, a fragment or a user name.")
    return text.rstrip("/")


@dataclass(frozen=True)
class ServerConfig:
    # An SQLite file's path, or a postgresql:// address (server.storage.open_store).
    database: str
    technician_token: str
    # Where customers reach this server; None means "the address the request came in on".
    public_url: str | None = None
    # Serves /demo/join/<code>, the stand-in join page of demo sessions.
    demo: bool = False
    # True when nobody chose the token, so ``serve`` must show it or nobody could use it.
    token_generated: bool = False
    # How many wrong session codes one address may try before it must wait (server.domain.limits).
    lookup_limit: LookupLimit = LookupLimit()
    # The folder of published launcher builds the join page offers (server.domain.launchers); None: none.
    launchers_dir: Path | None = None
    # Zoho Assist and TeamViewer credentials and addresses, from the environment (never argv).
    providers: ProviderSettings = field(default_factory=ProviderSettings)
    # Seconds between rounds of the session report job; None runs no job (tests run it by hand).
    report_interval: float | None = None
    # Consents of concurrent requests written in one transaction (server.domain.consent_writer);
    # None: what pays on the engine (on for SQLite, off for PostgreSQL, measured in the README).
    group_commit: bool | None = None

    @classmethod
    def resolve(
        cls,
        database: str | os.PathLike[str],
        *,
        token: str | None = None,
        public_url: str | None = None,
        demo: bool = False,
        lookup_limit: LookupLimit | None = None,
        launchers_dir: str | os.PathLike[str] | None = None,
        group_commit: bool | None = None,
        environ: Mapping[str, str] | None = None,
        development: bool = False,
        report_interval: float | None = None,
    ) -> ServerConfig:
        """Settle the token (argument, else ``PHONETEX_TECHNICIAN_TOKEN``, else a new random one)
        and the providers' settings (``PHONETEX_ZOHO_*``, ``PHONETEX_TEAMVIEWER_*``). Plain http to
        a provider's loopback stand-in is taken only in ``development`` (or demo) mode."""
        environ = os.environ if environ is None else environ
        chosen = (token or environ.get(TOKEN_ENV) or "").strip()
        try:
            providers = ProviderSettings.from_environ(environ, development=development or demo)
        except ProviderSettingsError as exc:
            raise ConfigError(str(exc)) from None
        return cls(
            database=os.fspath(database),
            technician_token=chosen or secrets.token_urlsafe(32),
            public_url=None if public_url is None else normalise_public_url(public_url),
            demo=demo,
            token_generated=not chosen,
            lookup_limit=lookup_limit or LookupLimit(),
            launchers_dir=None if launchers_dir is None else Path(launchers_dir),
            providers=providers,
            report_interval=report_interval,
            group_commit=group_commit,
        )

    def customer_link(self, code: str, base_url: str) -> str:
        """The emailed link for a session; ``base_url`` is used when no public URL was set."""
        return f"{(self.public_url or base_url).rstrip('/')}/join/{code}"
