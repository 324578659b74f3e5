"""Words for the customer that come from Qt-free code.

Core code cannot call Qt's ``tr()``, so it hands the UI a template marked with
``QT_TRANSLATE_NOOP("core", ...)`` (which Qt's lupdate collects) and the values to fill in; the UI
translates the template in the ``core`` context at display time (``app.ui.text.core_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONTEXT = "core"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text


@dataclass(frozen=True)
class Message:
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate=lambda template: template) -> str:
        """Fill in the values, translating this template and any nested :class:`Message` values
        with ``translate`` (the UI passes Qt's translator; plain English otherwise)."""
        params = {
            key: value.render(translate) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return translate(self.template).format(**params)

    def __str__(self) -> str:
        return self.render()


class UserFacingError(ValueError):
    """An error whose message is meant for the customer, with what to do next."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, params)
        super().__init__(str(self.message))
