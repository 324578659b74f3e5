"""A small language for the JSON that crosses the wire: each definition parses strictly and
describes itself as JSON Schema (2020-12, the dialect of OpenAPI 3.1).

Both the launcher (to read answers) and the server (to read requests and to check the answers it
builds) parse with the same definitions (:mod:`app.core.contract`), so the two sides cannot
drift apart, and ``docs/openapi.json`` is generated from them. Pure Python on purpose: the
launcher ships as one small file and must not carry a validation framework.

Parsing is strict: the exact JSON type (``true`` is not a number, ``1`` is not text), every
length and range bounded, the allowed characters of each text, and no key an object does not
define. A :class:`WireError` names the field and the reason in one line.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any


class WireError(ValueError):
    """A value that breaks the contract; ``where`` is its path (``receipt.name``)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where} {reason}" if where else reason)
        self.where = where
        self.reason = reason


# Bidirectional embeddings, overrides and isolates reorder what a person reads ("moc.knab"
# shown as "bank.com"); nothing a customer or technician types needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not text a person may be shown, or None: the one text rule of the tree.

    Refused: control characters (C0, DEL, C1; newlines and tabs only where ``multiline``), lone
    surrogates (not text at all, and not encodable as UTF-8), line and paragraph separators,
    bidirectional controls, and text with nothing visible (only spaces or zero-width characters).
    """
    # Printable ASCII (space to ~) holds none of the refused characters, and its only invisible
    # character is the space: the usual name or ticket is judged without a look-up per character
    # (every consent checks a dozen texts; issue 12's load figures).
    if value.isascii() and value.isprintable():
        return None if value.strip(" ") else "has nothing visible in it"
    return _problem_by_category(value, multiline)


def _problem_by_category(value: str, multiline: bool) -> str | None:
    visible = False
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            if not (multiline and char in "\n\t"):
                return "contains control characters"
        elif category == "Cs":
            return "contains a lone surrogate, which is not text"
        elif category in ("Zl", "Zp") or char in _BIDI_CONTROLS:
            return "contains characters that reorder or break the line"
        elif category not in ("Zs", "Cf", "Mn", "Me") and not char.isspace():
            visible = True
    if not visible:
        return "has nothing visible in it"
    return None


class Spec:
    """One kind of JSON value."""

    description = ""

    def parse(self, value: Any, where: str = "") -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            schema["description"] = self.description
        return schema


class Text(Spec):
    """A string of 1 to ``max_length`` characters that passes :func:`text_problem`, and
    ``pattern`` in full when given (a pattern also fixes the allowed characters)."""

    def __init__(
        self,
        max_length: int,
        *,
        pattern: str | None = None,
        min_length: int = 1,
        expected: str = "",
        description: str = "",
    ) -> None:
        self.expected = expected  # what a patterned text looks like, for messages
        self.max_length = max_length
        self.min_length = min_length
        self.pattern = pattern
        self._compiled = None if pattern is None else re.compile(pattern)
        self.description = description

    def parse(self, value: Any, where: str = "") -> str:
        if not isinstance(value, str):
            raise WireError(where, "must be text")
        if self._compiled is not None:
            if (
                not self.min_length <= len(value) <= self.max_length
                or not value.isascii()
                or self._compiled.fullmatch(value) is None
            ):
                raise WireError(where, f"must be {self.expected}" if self.expected else "is not in the expected form")
            return value
        if len(value) > self.max_length:
            raise WireError(where, f"is longer than {self.max_length} characters")
        if len(value) < self.min_length:
            raise WireError(where, f"is shorter than {self.min_length} characters")
        problem = text_problem(value)
        if problem is not None:
            raise WireError(where, problem)
        return value

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "minLength": self.min_length, "maxLength": self.max_length}
        if self.pattern is not None:
            schema["pattern"] = f"^(?:{self.pattern})$"
        return self._schema(schema)


class Choice(Spec):
    def __init__(self, values: Iterable[str], description: str = "") -> None:
        self.values = tuple(values)
        self.description = description

    def parse(self, value: Any, where: str = "") -> str:
        if not isinstance(value, str) or value not in self.values:
            raise WireError(where, f"must be one of: {', '.join(self.values)}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._schema({"type": "string", "enum": list(self.values)})


class Integer(Spec):
    """A whole JSON number from ``minimum`` to ``maximum`` (bounds keep 4 000-digit numbers out)."""

    def __init__(self, minimum: int, maximum: int, description: str = "") -> None:
        self.minimum, self.maximum = minimum, maximum
        self.description = description

    def parse(self, value: Any, where: str = "") -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise WireError(where, "must be a whole number")
        if not self.minimum <= value <= self.maximum:
            raise WireError(where, f"must be from {self.minimum} to {self.maximum}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._schema({"type": "integer", "minimum": self.minimum, "maximum": self.maximum})


class Number(Spec):
    def __init__(self, minimum: float, maximum: float, description: str = "") -> None:
        self.minimum, self.maximum = minimum, maximum
        self.description = description

    def parse(self, value: Any, where: str = "") -> float:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise WireError(where, "must be a number")
        if not self.minimum <= value <= self.maximum:
            raise WireError(where, f"must be from {self.minimum:g} to {self.maximum:g}")
        return float(value)

    def json_schema(self) -> dict[str, Any]:
        return self._schema({"type": "number", "minimum": self.minimum, "maximum": self.maximum})


class Boolean(Spec):
    def __init__(self, description: str = "") -> None:
        self.description = description

    def parse(self, value: Any, where: str = "") -> bool:
        if not isinstance(value, bool):
            raise WireError(where, "must be true or false")
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._schema({"type": "boolean"})


class Nullable(Spec):
    def __init__(self, inner: Spec) -> None:
        self.inner = inner
        self.description = inner.description

    def parse(self, value: Any, where: str = "") -> Any:
        return None if value is None else self.inner.parse(value, where)

    def json_schema(self) -> dict[str, Any]:
        inner = reference(self.inner)
        if "type" in inner and "$ref" not in inner:
            inner = dict(inner)
            inner["type"] = [inner["type"], "null"]
            if "enum" in inner:
                inner["enum"] = [*inner["enum"], None]
            return inner
        return {"anyOf": [inner, {"type": "null"}]}


class ListOf(Spec):
    def __init__(
        self, item: Spec, *, max_items: int, min_items: int = 0, unique: bool = False, description: str = ""
    ) -> None:
        self.item = item
        self.max_items, self.min_items, self.unique = max_items, min_items, unique
        self.description = description

    def parse(self, value: Any, where: str = "") -> list[Any]:
        if not isinstance(value, list):
            raise WireError(where, "must be a list")
        if not self.min_items <= len(value) <= self.max_items:
            raise WireError(where, f"must hold from {self.min_items} to {self.max_items} items")
        items = [self.item.parse(item, f"{where}[{index}]") for index, item in enumerate(value)]
        if self.unique and len({repr(item) for item in items}) != len(items):
            raise WireError(where, "must not repeat an item")
        return items

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "items": reference(self.item),
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }
        if self.unique:
            schema["uniqueItems"] = True
        return self._schema(schema)


class Object(Spec):
    """A JSON object with exactly these keys (``optional`` ones may be left out) and no others.

    A named object is one component of the OpenAPI document, referred to by name.
    """

    def __init__(
        self,
        name: str,
        fields: Mapping[str, Spec],
        *,
        optional: Iterable[str] = (),
        description: str = "",
    ) -> None:
        self.name = name
        self.fields = dict(fields)
        self.optional = frozenset(optional)
        self.description = description
        unknown = self.optional - set(self.fields)
        if unknown:
            raise ValueError(f"{name}: optional fields not defined: {sorted(unknown)}")
        # Worked out once: every consent parses a dozen objects (issue 12's load figures).
        self._keys = frozenset(self.fields)
        self._required = frozenset(self.required)
        self._items = tuple(self.fields.items())

    @property
    def required(self) -> list[str]:
        return [key for key in self.fields if key not in self.optional]

    def extend(self, name: str, fields: Mapping[str, Spec], description: str = "") -> Object:
        """Another object with these fields added (an answer that says a little more)."""
        return Object(name, {**self.fields, **fields}, optional=self.optional, description=description)

    def parse(self, value: Any, where: str = "") -> dict[str, Any]:
        if not isinstance(value, dict):
            raise WireError(where, "must be an object")
        keys = value.keys()
        if not keys <= self._keys:
            unknown = [key for key in value if key not in self.fields]
            shown = ", ".join(sorted(repr(key)[:40] for key in unknown)[:5])
            raise WireError(where, f"has fields the contract does not allow: {shown}")
        if not self._required <= keys:
            missing = [key for key in self.required if key not in value]
            raise WireError(where, f"is missing: {', '.join(missing)}")
        if not where:
            return {key: spec.parse(value[key], key) for key, spec in self._items if key in value}
        prefix = f"{where}."
        return {key: spec.parse(value[key], prefix + key) for key, spec in self._items if key in value}

    def json_schema(self) -> dict[str, Any]:
        return self._schema(
            {
                "type": "object",
                "properties": {key: reference(spec) for key, spec in self.fields.items()},
                "required": self.required,
                "additionalProperties": False,
            }
        )


def reference(spec: Spec) -> dict[str, Any]:
    """How another schema refers to ``spec``: by name for a named object, inline otherwise."""
    if isinstance(spec, Object):
        return {"$ref": f"#/components/schemas/{spec.name}"}
    return spec.json_schema()


def named_objects(specs: Iterable[Spec]) -> dict[str, Object]:
    """Every named object reachable from ``specs``, by name (the OpenAPI components)."""
    found: dict[str, Object] = {}

    def visit(spec: Spec) -> None:
        if isinstance(spec, Object):
            if spec.name in found:
                if found[spec.name] is not spec:
                    raise ValueError(f"two different objects are named {spec.name}")
                return
            found[spec.name] = spec
            for inner in spec.fields.values():
                visit(inner)
        elif isinstance(spec, Nullable):
            visit(spec.inner)
        elif isinstance(spec, ListOf):
            visit(spec.item)

    for spec in specs:
        visit(spec)
    return found
