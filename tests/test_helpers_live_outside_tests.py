"""Benchmarks and tools are run by hand and by make targets, not by pytest: whatever they share with
the tests lives in testbed/, so that tests/ stays free to change and nothing outside it imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(path for folder in ("benchmarks", "tools", "testbed", "docs") for path in (ROOT / folder).glob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_there_are_scripts_to_check():
    assert any(path.parent.name == "benchmarks" for path in SCRIPTS)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_script_outside_tests_imports_from_tests(path: Path):
    from_tests = sorted(name for name in _imported_modules(path) if name == "tests" or name.startswith("tests."))
    assert not from_tests, f"{path.relative_to(ROOT)} imports {from_tests}: move the helper to testbed/"
