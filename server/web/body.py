"""Reading a request body: bounded in size, and JSON or a clean refusal."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from server.domain.refusals import Refusal
from server.web.errors import ApiError

# A consent record with 200 apps on each list stays well under this; anything bigger is not one.
MAX_BODY_BYTES = 256 * 1024


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def json_body(request: Request, refusal: type[Refusal]) -> Any:
    """The body as JSON; a body that is not JSON is ``refusal`` (the route's own 422 word)."""
    size = 0
    chunks = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", "The request is too large for the consent server.")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise refusal("The request body is not valid JSON.") from None
