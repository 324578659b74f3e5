"""JSON read the strict way, for bodies in both directions (the server's requests, the
launcher's answers): UTF-8 only, no NaN or Infinity, no key twice in one object (which value
would a reader believe?), and nesting bounded before parsing, so a body of a thousand ``[`` is a
refusal and never a RecursionError.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Deeper than any body of the contract (a receipt is four levels deep) by far.
MAX_JSON_DEPTH = 32


class NotStrictJSON(ValueError):
    """The text is not JSON this tree accepts; the message says why, in a few words."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # in C; a key seen twice leaves the dict shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise NotStrictJSON(f"the key {key[:40]!r} appears twice")
            seen.add(key)
    return result


def _reject_constant(name: str) -> Any:
    raise NotStrictJSON(f"{name} is not a JSON number")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets nest deeper than ``limit`` (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual body: too few brackets to nest that deep
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def loads_strict(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotStrictJSON("it is not UTF-8") from None
    if json_depth_exceeds(text):
        raise NotStrictJSON(f"it nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except NotStrictJSON:
        raise
    except (ValueError, RecursionError) as error:
        raise NotStrictJSON(f"it is not JSON ({str(error)[:80]})") from None
