"""Sample consent records, as the launcher would send them, for tests and benchmarks."""

from __future__ import annotations

from typing import Any

from app.core.consent_record import ACKNOWLEDGEMENTS, SCHEMA_VERSION, new_receipt_id, utc_now_iso
from app.core.terms import load_terms

# Passed as an override value, drops the field: for records that miss something on purpose.
REMOVE = object()


def make_record(session_code: str, /, **overrides: Any) -> dict[str, Any]:
    """A valid consent record for ``session_code`` against the current terms, as JSON-ready data.

    ``name="Ann"`` replaces a top-level field; ``terms__version="2019-01"`` reaches into a nested
    one; ``REMOVE`` as the value deletes the field.
    """
    terms = load_terms()
    record: dict[str, Any] = {
        "receipt_id": new_receipt_id(),
        "session_code": session_code,
        "given_at": utc_now_iso(),
        "name": "Ann Example",
        "terms": {"id": terms.id, "version": terms.version, "sha256": terms.sha256, "language": terms.language},
        "acknowledgements": dict.fromkeys(ACKNOWLEDGEMENTS, True),
        "open_apps": {
            "left_open": [{"name": "Firefox", "category": "browser"}],
            "closed": [{"name": "Thunderbird", "category": "email"}],
            "windows_listed": True,
        },
        "backup": {
            "verdict": "recent",
            "kind": "folder",
            "age_seconds": 3600,
            "coverage": 0.98,
            "risk_acknowledged": False,
        },
        "client_version": "0.1.0",
        "os_family": "linux",
        "schema_version": SCHEMA_VERSION,
    }
    for key, value in overrides.items():
        *parents, leaf = key.split("__")
        target = record
        for parent in parents:
            target = target[parent]
        if value is REMOVE:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return record
