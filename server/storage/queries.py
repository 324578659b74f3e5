"""How the two engines share their SQL: each statement is written once, in a query set of this
package (:mod:`~server.storage.consent_queries`, :mod:`~server.storage.provider_queries`,
:mod:`~server.storage.limit_queries`, :mod:`~server.storage.console_queries`), with ``?``
placeholders. An engine's Transaction mixes the sets in and supplies :meth:`Queries._run`;
PostgreSQL's turns every ``?`` into ``%s``, so a statement holds no other ``?`` and no ``%``.

Both engines speak the SQL used here (``ON CONFLICT ... DO UPDATE/NOTHING``, ``RETURNING``,
``excluded.``). Where they really differ, the statement stays one and the difference is one of
the hooks below, which an engine overrides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Queries:
    """The base of every query set: the engine's way to run a statement, and its hooks."""

    def _run(self, query: str, params: Sequence[Any] = ()) -> Any:
        """Run ``query`` (``?`` placeholders) with ``params``; the engine's cursor."""
        raise NotImplementedError

    def _row_lock(self) -> str:
        """Added to the SELECT of a row the transaction may go on to change. SQLite: nothing,
        its one write lock already keeps every other writer out."""
        return ""

    def _wait_for_receipt(self, receipt_id: str) -> None:
        """Called before a receipt id is looked up. SQLite: nothing, for the same reason."""

    def _may_write(self) -> bool:
        """Whether a read may tidy up on the way (drop rows that have ended). SQLite: always."""
        return True
