"""The remote-support providers' customer-side programs (resources/support_programs.json).

Data, not code: per provider and system, the names its program runs under. The support bar
knows a session is live while one of them runs, and End support now closes them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.core.resources import read_json

PLATFORMS = ("windows", "macos", "linux")


class SupportProgramsError(ValueError):
    """The file does not follow its format; the message names the entry."""


@dataclass(frozen=True)
class ProgramName:
    pattern: str  # lower case; '*' matches any run of characters
    folder: str | None = None  # lower case; the program must run from inside a folder of this name

    def matches(self, name: str) -> bool:
        name = name.lower()
        return fnmatch.fnmatchcase(name, self.pattern) if "*" in self.pattern else name == self.pattern


@dataclass(frozen=True)
class Provider:
    id: str
    name: str  # what the customer reads: "Zoho Assist"
    programs: dict[str, tuple[ProgramName, ...]]  # by platform


class SupportPrograms:
    def __init__(self, providers: dict[str, Provider]) -> None:
        self.providers = providers

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SupportPrograms:
        providers = {}
        for provider_id, raw in data.get("providers", {}).items():
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                raise SupportProgramsError(f"provider {provider_id!r} needs a name")
            programs = {platform: tuple(_program(provider_id, item) for item in raw.get(platform, [])) for platform in PLATFORMS}
            if not any(programs.values()):
                raise SupportProgramsError(f"provider {provider_id!r} names no program")
            providers[provider_id] = Provider(provider_id, raw["name"], programs)
        return cls(providers)

    def provider(self, provider_id: str) -> Provider | None:
        return self.providers.get(provider_id)

    def is_program(
        self, provider_id: str, platform: str, name: str, executable: Callable[[], str | None] = lambda: None
    ) -> bool:
        """Whether a process (or, on macOS, an application's bundle id) called ``name`` is the
        provider's program here; ``executable()`` gives its path when a name needs a folder."""
        provider = self.providers.get(provider_id)
        if provider is None:
            return False
        for program in provider.programs.get(platform, ()):
            if program.matches(name) and (program.folder is None or _in_folder(executable(), program.folder)):
                return True
        return False


def _program(provider_id: str, item: Any) -> ProgramName:
    if isinstance(item, str) and item:
        return ProgramName(item.lower())
    if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("folder"), str):
        return ProgramName(item["name"].lower(), item["folder"].lower())
    raise SupportProgramsError(f"provider {provider_id!r} has a program that is neither a name nor a name with a folder")


def _in_folder(path: str | None, folder: str) -> bool:
    if not path:
        return False
    parts = path.replace("\\", "/").lower().split("/")[:-1]
    return folder in parts


@lru_cache(maxsize=1)
def default_support_programs() -> SupportPrograms:
    return SupportPrograms.from_data(read_json("support_programs.json"))


def provider_name(provider_id: str) -> str:
    """What the customer reads for a provider; the id itself for one the file does not know."""
    provider = default_support_programs().provider(provider_id)
    return provider.name if provider is not None else provider_id



