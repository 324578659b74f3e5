"""Reference consent server for the Phonetex Support Launcher (FastAPI + SQLite).

It implements ``docs/server-api.md``: technicians open support sessions, customers' launchers
look them up and record consent, and only a recorded consent hands out the session's join link.
The consent record schema is the launcher's own (:mod:`app.core.consent_record`).

Three layers, HTTP only at the edge (``tests/test_server_layers.py`` keeps it so):

- :mod:`server.storage`: the :class:`~server.storage.interface.Store` interface and its engines
  (:mod:`server.storage.sqlite`); :func:`server.storage.open_store` picks one.
- :mod:`server.domain`: sessions, consents, the wrong-code limit, the group-commit writer. It
  raises :mod:`server.domain.refusals` and imports no web framework.
- :mod:`server.web`: routes (``customer_routes``, ``technician_routes``, ``page_routes``), the
  one table from refusal to status and error word (``errors.REFUSALS``), and ``app.create_app``,
  which wires them. Pages render with :mod:`server.templating` (``server/templates/``,
  ``server/static/``). ``config``, ``cli`` and ``embedded`` sit beside the layers and use all three.
"""
