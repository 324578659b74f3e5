"""The launcher's step events: the one schema the launcher sends and the consent server checks.

A step event tells the technician which step the customer has reached, and nothing the consent
record would not hold anyway: the step's name, and for two steps a summary in the record's own
terms (the flagged applications left open, by friendly name and category; the backup's verdict
and kind). No paths, window titles, process lists or user names. ``from_dict`` refuses any field
it does not know, so nothing extra can ride along. The event id makes a repeat harmless.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.core.consent_record import (
    APP_CATEGORIES,
    BACKUP_KINDS,
    BACKUP_VERDICTS,
    AppSummary,
    ConsentRecordError,
)
from app.core.contract import STEP_EVENT, STEP_PROVIDERS, STEP_SCHEMA_VERSION
from app.core.wire import WireError

# The wire shape is app.core.contract's STEP_EVENT; this module adds which details each step has.
SCHEMA_VERSION = STEP_SCHEMA_VERSION
PROVIDERS = STEP_PROVIDERS
_DETAILS = {
    "open_apps_checked": {"left_open"},
    "backup_checked": {"verdict", "kind"},
    "join_link_opened": {"provider", "browser_opened"},
    "provider_switched": {"provider"},
}
_MAX_APPS = 50


class StepEventError(ConsentRecordError):
    """The event does not follow the schema; the message says which field and why."""


@dataclass(frozen=True)
class StepEvent:
    event_id: str
    step: str
    details: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "step": self.step,
            "details": self.details,
            "schema_version": self.schema_version,
        }

    @classmethod
    def from_dict(cls, data: Any) -> StepEvent:
        return _parse(data)


def new_step_event(step: str, **details: Any) -> StepEvent:
    """A fresh event (validated the way the server will, so a mistake shows in the launcher's tests)."""
    return _parse({"event_id": str(uuid.uuid4()), "step": step, "details": details, "schema_version": SCHEMA_VERSION})


def left_open_details(apps: tuple[AppSummary, ...]) -> list[dict[str, str]]:
    """The flagged applications left open, as the consent record names them (``other`` is not flagged)."""
    flagged = sorted({(app.name, app.category) for app in apps if app.category != "other"})
    return [{"name": name, "category": category} for name, category in flagged[:_MAX_APPS]]


def _parse(data: Any) -> StepEvent:
    try:
        data = STEP_EVENT.parse(data)
    except WireError as error:
        raise StepEventError(str(error)) from None
    event_id, step, details = data["event_id"], data["step"], data["details"]
    expected = _DETAILS.get(step, set())
    if not isinstance(details, dict) or set(details) != expected:
        wanted = ", ".join(sorted(expected)) or "nothing"
        raise StepEventError(f"The details of {step} must hold exactly: {wanted}.")
    return StepEvent(event_id=event_id, step=step, details=_checked_details(step, details))


def _checked_apps(details: dict[str, Any]) -> dict[str, Any]:
    apps = details["left_open"]
    if not isinstance(apps, list) or len(apps) > _MAX_APPS:
        raise StepEventError(f"left_open must be a list of at most {_MAX_APPS} applications.")
    checked = []
    for app in apps:
        if not isinstance(app, dict) or set(app) != {"name", "category"}:
            raise StepEventError("Each application left open has exactly a name and a category.")
        name, category = app["name"], app["category"]
        if not isinstance(name, str) or not name.strip() or len(name) > 80 or any(ord(c) < 32 for c in name):
            raise StepEventError("An application's name must be short text without control characters.")
        if category not in APP_CATEGORIES or category == "other":
            raise StepEventError("An application left open must be one of the flagged categories.")
        checked.append({"name": name, "category": category})
    return {"left_open": checked}


def _checked_backup(details: dict[str, Any]) -> dict[str, Any]:
    if details["verdict"] not in BACKUP_VERDICTS or details["kind"] not in BACKUP_KINDS:
        raise StepEventError("The backup's verdict and kind must be ones the consent record knows.")
    return {"verdict": details["verdict"], "kind": details["kind"]}


def _checked_provider(details: dict[str, Any]) -> dict[str, Any]:
    if details["provider"] not in PROVIDERS:
        raise StepEventError(f"provider must be one of: {', '.join(PROVIDERS)}.")
    checked: dict[str, Any] = {"provider": details["provider"]}
    if "browser_opened" in details:
        if not isinstance(details["browser_opened"], bool):
            raise StepEventError("browser_opened must be true or false.")
        checked["browser_opened"] = details["browser_opened"]
    return checked


_CHECKS = {
    "open_apps_checked": _checked_apps,
    "backup_checked": _checked_backup,
    "join_link_opened": _checked_provider,
    "provider_switched": _checked_provider,
}


def _checked_details(step: str, details: dict[str, Any]) -> dict[str, Any]:
    check = _CHECKS.get(step)
    return {} if check is None else check(details)
