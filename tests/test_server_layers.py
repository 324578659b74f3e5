"""The server keeps HTTP at its edge: storage and domain never load a web framework."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import server.domain
import server.storage
from server.domain import refusals
from server.web.errors import REFUSALS

ROOT = Path(__file__).resolve().parent.parent
WEB_FRAMEWORKS = ("fastapi", "starlette", "uvicorn")


def modules_of(package) -> list[str]:
    return [package.__name__] + [
        info.name for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    ]


def imported_names(module_name: str) -> set[str]:
    source = Path(importlib.util.find_spec(module_name).origin).read_text(encoding="utf-8")
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_domain_or_storage_module_imports_a_web_framework() -> None:
    offenders = {
        module: sorted(name for name in imported_names(module) if name.split(".")[0] in WEB_FRAMEWORKS)
        for module in [*modules_of(server.domain), *modules_of(server.storage)]
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_loading_the_whole_domain_and_storage_loads_no_web_framework() -> None:
    # Transitively, in a fresh interpreter: an import of an import would show here.
    modules = [*modules_of(server.domain), *modules_of(server.storage)]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {WEB_FRAMEWORKS!r}))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    assert len(modules) >= 8  # the walk found the layers' modules, not an empty package


def test_every_domain_refusal_has_one_status_and_word() -> None:
    kinds = [
        value for value in vars(refusals).values()
        if isinstance(value, type) and issubclass(value, refusals.Refusal) and value is not refusals.Refusal
    ]
    assert sorted(kind.__name__ for kind in kinds) == sorted(kind.__name__ for kind in REFUSALS)
    words = [word for _, word in REFUSALS.values()]
    assert len(words) == len(set(words))
    # A "no" is the client's to fix (4xx), except a provider's API failing behind us: a gateway error.
    assert all(400 <= status < 500 for kind, (status, _) in REFUSALS.items() if kind is not refusals.ProviderFailed)
    assert REFUSALS[refusals.ProviderFailed][0] == 502
