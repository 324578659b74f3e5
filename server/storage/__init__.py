"""Storage: the interface the domain uses (:mod:`server.storage.interface`) and its engines.

No module here knows HTTP or the rules of sessions and consents (see :mod:`server`).
"""

from __future__ import annotations

import os

from server.storage.interface import (
    ApiTokenRow,
    ConsentRow,
    LoginRow,
    PasswordLinkRow,
    ProviderSwitchRow,
    SessionOwnerRow,
    SessionReportRow,
    SessionRow,
    StepEventRow,
    Store,
    StoreError,
    TechnicianRow,
    Transaction,
)

__all__ = [
    "ApiTokenRow",
    "ConsentRow",
    "LoginRow",
    "PasswordLinkRow",
    "ProviderSwitchRow",
    "SessionOwnerRow",
    "SessionReportRow",
    "SessionRow",
    "StepEventRow",
    "Store",
    "StoreError",
    "TechnicianRow",
    "Transaction",
    "is_database_url",
    "open_store",
]


def is_database_url(location: str | os.PathLike[str]) -> bool:
    """True for a ``postgresql://`` address, False for an SQLite file path."""
    from server.storage.postgresql_url import is_postgresql_url

    return isinstance(location, str) and is_postgresql_url(location)


def open_store(location: str | os.PathLike[str]) -> Store:
    """The store at ``location``: a ``postgresql://USER@HOST:PORT/DB`` address (several server
    processes may share it), else the path of an SQLite file (one process; the embedded default).
    Either is migrated to this server's schema when opened; a newer one is refused."""
    if is_database_url(location):
        from server.storage.postgresql import PostgresStore

        return PostgresStore(str(location))
    from server.storage.sqlite import SqliteStore

    return SqliteStore(location)
