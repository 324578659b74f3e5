"""A pseudo-translation that wraps every translated string in ⟦…⟧ and lengthens it by a third.

Installed instead of a real translation it shows at a glance which visible text skipped Qt's
translation functions (it stays unwrapped) and whether layouts survive longer languages
(after Vorta's i18n switch).
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

OPEN, CLOSE = "⟦", "⟧"


class PseudoTranslator(QTranslator):
    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str:  # Qt's signature
        if not source_text:
            return source_text
        padding = "·" * (len(source_text) // 3)
        return f"{OPEN}{source_text}{padding}{CLOSE}"

    def isEmpty(self) -> bool:  # noqa: N802
        return False
