"""A launcher download as an HTTP answer: streamed from disk in a worker thread, chunk by chunk,
with ``Content-Disposition`` naming the file the customer keeps, ``HEAD``, ``Range`` and
``If-Range`` (so an interrupted download resumes rather than starting over), and an ETag."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.domain.launchers import Download
from server.web.byte_ranges import UnsatisfiableRange, requested_range


def _headers(download: Download) -> dict[str, str]:
    return {
        # The name carries only the 9-digit code and the brand's name: plain ASCII, nothing to escape.
        "Content-Disposition": f'attachment; filename="{download.filename}"',
        "Accept-Ranges": "bytes",
        "ETag": download.etag,
        "X-Content-SHA256": download.sha256,
    }


async def _chunks(download: Download, start: int, length: int) -> AsyncIterator[bytes]:
    reader = download.served.reader(start, length)
    try:
        while chunk := await anyio.to_thread.run_sync(reader.read):
            yield chunk
    finally:
        await anyio.to_thread.run_sync(reader.close)


def download_response(request: Request, download: Download) -> Response:
    headers = _headers(download)
    size = download.size
    wanted: tuple[int, int] | None
    if_range = request.headers.get("if-range")
    try:
        wanted = requested_range(request.headers.get("range"), size)
    except UnsatisfiableRange:
        if if_range is None or if_range == download.etag:
            return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        wanted = None
    if wanted is not None and if_range is not None and if_range != download.etag:
        wanted = None  # the file changed since the first part: send all of the new one
    if wanted is None:
        status, start, length = 200, 0, size
    else:
        status, start, length = 206, wanted[0], wanted[1] - wanted[0] + 1
        headers["Content-Range"] = f"bytes {wanted[0]}-{wanted[1]}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=download.media_type)
    return StreamingResponse(
        _chunks(download, start, length), status_code=status, headers=headers, media_type=download.media_type
    )
