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


# Calls that hand the store to another thread, or to an async domain function that does (run=).
_OFF_THE_LOOP = {"run", "submit", "run_in_threadpool", "to_thread"}


def _is_store(node: ast.AST) -> bool:
    """``store``, ``self.store`` or ``services.store``."""
    if isinstance(node, ast.Name):
        return node.id == "store"
    return isinstance(node, ast.Attribute) and node.attr == "store"


def _direct_store_calls(function: ast.AsyncFunctionDef) -> list[int]:
    lines = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue  # a nested function runs wherever it is handed, checked where it is defined
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            on_store = isinstance(node.func, ast.Attribute) and _is_store(node.func.value)
            given_store = any(_is_store(arg) for arg in node.args)
            handed_over = name in _OFF_THE_LOOP or any(keyword.arg == "run" for keyword in node.keywords)
            if (on_store or given_store) and not handed_over:
                lines.append(node.lineno)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(lines)


def test_no_async_route_calls_the_store_on_the_event_loop() -> None:
    """Every store call of server/web's async code goes through the store's thread
    (``services.db.run``): a stalled disk or a held write lock never stops the event loop."""
    offenders = {}
    for path in sorted((ROOT / "server" / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef) and (lines := _direct_store_calls(node)):
                offenders[f"{path.name}:{node.name}"] = lines
    assert offenders == {}
