"""Storage: the interface the domain uses (:mod:`server.storage.interface`) and its engines.

No module here knows HTTP or the rules of sessions and consents (see :mod:`server`).
"""

from __future__ import annotations

import os

from server.storage.interface import ConsentRow, SessionRow, Store, StoreError, Transaction

__all__ = ["ConsentRow", "SessionRow", "Store", "StoreError", "Transaction", "open_store"]


def open_store(location: str | os.PathLike[str]) -> Store:
    """The store at ``location``: today always an SQLite file path. A second engine (a
    ``postgresql://`` URL) is chosen here, so the CLI, the embedded server and the tests need no
    change to use it."""
    from server.storage.sqlite import SqliteStore

    return SqliteStore(location)
