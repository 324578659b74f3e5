"""Guards against a Qt binding that breaks the wizard in ways no page test would show at once.

What it guards: PySide6 6.12.0 drops a reference to ``True`` each time Qt calls a Python override
returning a bool (``isComplete``, ``validatePage``); on CPython 3.11 after a few thousand calls the
interpreter aborts. ``pyproject.toml`` pins PySide6-Essentials 6.11.3, which has no such fault;
this test fails before customers would crash if the pin moves to a binding that has it.

Where it can tell: only where ``True`` has a reference count that moves, i.e. CPython before 3.12.
From 3.12 on ``True`` is immortal (PEP 683): the count never changes, so the leak can neither show
nor abort the interpreter, and the test says so by skipping instead of passing.
"""

import re
import sys
import tomllib
from pathlib import Path

import PySide6
import pytest
from PySide6.QtWidgets import QWizard, QWizardPage

GUARDED_PYTHON = (3, 11)  # the launcher's Python (pyproject: requires-python >= 3.11; builds use 3.11)
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
KNOWN_LEAKING = {"6.12.0"}
CALLS = 200


class AlwaysComplete(QWizardPage):
    def isComplete(self) -> bool:  # noqa: N802
        return True


def _true_refcount_moves() -> bool:
    before = sys.getrefcount(True)
    held = [True] * 100
    moved = sys.getrefcount(True) >= before + 100
    del held
    return moved


def pinned_binding() -> str:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pins = [m.group(1) for d in dependencies if (m := re.fullmatch(r"PySide6-Essentials==([\d.]+)", d))]
    assert len(pins) == 1, "pyproject.toml must pin exactly one PySide6-Essentials version"
    return pins[0]


def test_the_binding_is_the_pinned_one_and_not_a_known_leaking_one():
    assert pinned_binding() not in KNOWN_LEAKING
    assert PySide6.__version__ == pinned_binding(), (
        f"PySide6 {PySide6.__version__} is installed, pyproject.toml pins {pinned_binding()}"
    )


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="True is immortal from Python 3.12 (PEP 683): the leak cannot show here"
)
def test_python_overrides_returning_bool_keep_reference_counts(qtbot):
    assert sys.version_info[:2] >= GUARDED_PYTHON
    assert _true_refcount_moves(), "this Python does not count references to True: the test could not fail"
    wizard = QWizard()
    qtbot.addWidget(wizard)
    page = AlwaysComplete()
    wizard.addPage(page)
    wizard.addPage(QWizardPage())
    wizard.show()
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        page.completeChanged.emit()  # Qt asks isComplete() each time
    # A leaking binding loses one reference per call (CALLS in all); a little noise is allowed.
    assert sys.getrefcount(True) >= before - 5
