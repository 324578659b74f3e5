"""The catalogue of applications the page knows by name (resources/app_catalogue.json).

Kept as data so support staff can add an application without touching code. Each entry names an
application per platform: Windows executable names, macOS bundle ids, Linux binary names,
WM_CLASS names or app ids, all matched case-insensitively; a ``*`` in a key matches any run of
characters (used for remote-support tools whose helpers change names between versions).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from app.core.consent_record import APP_CATEGORIES
from app.core.resources import read_json

PLATFORMS = ("windows", "macos", "linux")
ROLES = ("app", "shell", "remote-support")


class CatalogueError(ValueError):
    """The catalogue file does not follow its format; the message names the entry."""


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    category: str
    role: str = "app"


class Catalogue:
    def __init__(self, entries: Iterable[tuple[Entry, dict[str, list[str]]]]) -> None:
        self._exact: dict[str, dict[str, Entry]] = {p: {} for p in PLATFORMS}
        self._patterns: dict[str, list[tuple[str, Entry]]] = {p: [] for p in PLATFORMS}
        self.entries: list[Entry] = []
        for entry, keys in entries:
            self.entries.append(entry)
            for platform in PLATFORMS:
                for key in keys.get(platform, ()):
                    key = key.lower()
                    if "*" in key:
                        self._patterns[platform].append((key, entry))
                    else:
                        self._exact[platform].setdefault(key, entry)

    @classmethod
    def from_data(cls, data: dict) -> Catalogue:
        parsed = []
        for section, role_field in (("apps", None), ("protected", "role")):
            for raw in data.get(section, []):
                where = f"{section} entry {raw.get('id', '?')!r}"
                if not raw.get("id") or not raw.get("name"):
                    raise CatalogueError(f"{where} needs an id and a name")
                category = raw.get("category", "other")
                role = raw.get(role_field, "app") if role_field else "app"
                if category not in APP_CATEGORIES:
                    raise CatalogueError(f"{where} has unknown category {category!r}")
                if role not in ROLES or (section == "protected") == (role == "app"):
                    raise CatalogueError(f"{where} has a role that does not fit its section: {role!r}")
                keys = {p: list(raw.get(p, [])) for p in PLATFORMS}
                if not any(keys.values()):
                    raise CatalogueError(f"{where} names no executable, bundle id or app id")
                parsed.append((Entry(raw["id"], raw["name"], category, role), keys))
        return cls(parsed)

    def match_exact(self, platform: str, name: str) -> Entry | None:
        """One name, exact keys only: cheap enough to ask of every process in a snapshot."""
        return self._exact[platform].get(name.lower())

    def match(self, platform: str, names: Iterable[str | None]) -> Entry | None:
        """The entry for the first of ``names`` the catalogue knows on ``platform``."""
        lowered = [n.lower() for n in names if n]
        exact = self._exact[platform]
        for name in lowered:
            if name in exact:
                return exact[name]
        for name in lowered:
            for pattern, entry in self._patterns[platform]:
                if fnmatch.fnmatchcase(name, pattern):
                    return entry
        return None


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return Catalogue.from_data(read_json("app_catalogue.json"))
