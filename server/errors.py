"""Every error the server answers is JSON: ``{"error": word, "message": sentence, ...}``.

The handlers here also cover what FastAPI and Starlette answer on their own (unknown routes,
wrong methods, request validation) and anything unexpected, so no answer ever carries HTML or a
traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("server")


class ApiError(Exception):
    """An answer the API contract names: status, machine word, readable message, extra fields."""

    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"error": self.error, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


_HTTP_ERRORS = {
    404: ("not_found", "There is nothing at this address on the consent server."),
    413: ("too_large", "The request is too large for the consent server."),
}


def _from_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 405:
        error, message = "method_not_allowed", f"This address does not accept {request.method} requests."
    elif exc.status_code in _HTTP_ERRORS:
        error, message = _HTTP_ERRORS[exc.status_code]
    else:
        try:
            phrase = HTTPStatus(exc.status_code).phrase
        except ValueError:
            phrase = "Error"
        error = phrase.lower().replace(" ", "_").replace("-", "_")
        message = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else f"{phrase}."
    return ApiError(exc.status_code, error, message, headers=exc.headers).response()


def _from_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "path", "query"))
    reason = str(first.get("msg", "is not valid")).rstrip(".")
    message = f"{where}: {reason}." if where else f"The request is not valid: {reason}."
    return ApiError(422, "invalid_request", message).response()


def _from_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("Unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return ApiError(
        500, "internal_error", "Something went wrong on the consent server. Please try again in a moment."
    ).response()


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, lambda request, exc: exc.response())
    app.add_exception_handler(StarletteHTTPException, _from_http_exception)
    app.add_exception_handler(RequestValidationError, _from_validation_error)
    app.add_exception_handler(Exception, _from_unexpected)
