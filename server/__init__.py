"""Reference consent server for the Phonetex Support Launcher (FastAPI + SQLite).

It implements ``docs/server-api.md``: technicians open support sessions, customers' launchers
look them up and record consent, and only a recorded consent hands out the session's join link.
The consent record schema is the launcher's own (:mod:`app.core.consent_record`).
"""
