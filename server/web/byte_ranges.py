"""The ``Range`` header of a download (RFC 9110 §14): which bytes the client wants.

One range is served as ``206``; a header this server does not handle (several ranges, other
units, nonsense) is ignored and the whole file sent, which the RFC allows; a range that starts
past the end is ``416``.
"""

from __future__ import annotations

import re

_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class UnsatisfiableRange(ValueError):
    """The one range asked for lies wholly outside the file."""


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` inclusive for one satisfiable range, None for "send everything"."""
    if not header:
        return None
    match = _ONE_RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        # The last N bytes.
        suffix = int(last)
        if suffix == 0:
            raise UnsatisfiableRange(header)
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range: ignored
    if start >= size:
        raise UnsatisfiableRange(header)
    end = size - 1 if not last else int(last)
    return start, min(end, size - 1)
