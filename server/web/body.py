"""Reading a request body: JSON only, bounded in size, parsed strictly, or a clean refusal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from app.core.strict_json import NotStrictJSON, loads_strict
from server.domain.refusals import Refusal
from server.web.errors import ApiError

# A consent record with 200 apps on each list stays well under this; anything bigger is not one.
MAX_BODY_BYTES = 256 * 1024


def require_json_content_type(request: Request) -> None:
    """Only ``application/json``: a web page can post a form or text/plain to another site
    without asking, but not JSON, so this also keeps other sites' pages from posting consents."""
    kind, _, parameters = request.headers.get("content-type", "").partition(";")
    charset = parameters.strip().lower()
    if kind.strip().lower() != "application/json" or charset not in ("", "charset=utf-8"):
        raise ApiError(
            415, "unsupported_media_type", "The request body must be JSON, sent as Content-Type: application/json."
        )


async def json_body(request: Request, refusal: type[Refusal]) -> Any:
    """The body as JSON; a body that is not JSON is ``refusal`` (the route's own 422 word)."""
    require_json_content_type(request)
    size = 0
    chunks = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", "The request is too large for the consent server.")
        chunks.append(chunk)
    try:
        return loads_strict(b"".join(chunks))
    except NotStrictJSON as error:
        raise refusal(f"The request body is not valid JSON: {error}.") from None
