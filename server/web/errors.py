"""Every error the server answers is JSON: ``{"error": word, "message": sentence, ...}``.

:data:`REFUSALS` is the one table from a domain refusal (:mod:`server.domain.refusals`) to its
status code and error word. The handlers here also cover what FastAPI and Starlette answer on
their own (unknown routes, wrong methods, request validation) and anything unexpected, so no
answer ever carries HTML or a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from server.domain import refusals as r

log = logging.getLogger("server")

REFUSALS: dict[type[r.Refusal], tuple[int, str]] = {
    r.InvalidRequest: (422, "invalid_request"),
    r.InvalidCode: (422, "invalid_code"),
    r.InvalidRecord: (422, "invalid_record"),
    r.UnknownCode: (404, "unknown_code"),
    r.NoConsent: (404, "no_consent"),
    r.SessionCancelled: (410, "cancelled"),
    r.SessionExpired: (410, "expired"),
    r.ReceiptReused: (409, "receipt_reused"),
    r.AlreadyConsented: (409, "already_consented"),
    r.TermsOutdated: (409, "terms_outdated"),
    r.TooManyWrongCodes: (429, "too_many_attempts"),
    r.NotATechnician: (401, "unauthorized"),
    r.LinkRefused: (422, "link_refused"),
    r.NotSwitchable: (409, "not_switchable"),
    r.ProviderNotConfigured: (409, "provider_not_configured"),
    r.ProviderFailed: (502, "provider_failed"),
    r.NotYourSession: (404, "not_your_session"),
    r.TooManySteps: (429, "too_many_steps"),
    r.AccountRefused: (422, "account_refused"),
}


class ApiError(Exception):
    """An answer only the HTTP edge gives (a body too large, a body that is not JSON): status,
    machine word, readable message, extra fields."""

    def __init__(self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"error": self.error, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def refusal_status(refusal: r.Refusal) -> tuple[int, str]:
    """The status code and error word for ``refusal`` (a subclass takes its parent's row)."""
    for kind in type(refusal).__mro__:
        if kind in REFUSALS:
            return REFUSALS[kind]
    raise LookupError(f"{type(refusal).__name__} has no row in server.web.errors.REFUSALS")


def as_api_error(refusal: r.Refusal) -> ApiError:
    status, word = refusal_status(refusal)
    headers = None
    if isinstance(refusal, r.TooManyWrongCodes):
        headers = {"Retry-After": str(refusal.retry_after)}
    elif isinstance(refusal, r.NotATechnician):
        headers = {"WWW-Authenticate": "Bearer"}
    return ApiError(status, word, refusal.message, headers=headers, **refusal.details)


_HTTP_ERRORS = {
    404: ("not_found", "There is nothing at this address on the consent server."),
    413: ("too_large", "The request is too large for the consent server."),
    415: ("unsupported_media_type", "The request body must be JSON, sent as Content-Type: application/json."),
}


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path. Starlette's own ``Allow`` names only the
    first route whose path matched, so a path with GET and POST routes said only one of them
    (found by schemathesis, tests/test_api_fuzz.py)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if route.matches(request.scope)[0] != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _from_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = exc.headers
    if exc.status_code == 405:
        error, message = "method_not_allowed", f"This address does not accept {request.method} requests."
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    elif exc.status_code in _HTTP_ERRORS:
        error, message = _HTTP_ERRORS[exc.status_code]
    else:
        try:
            phrase = HTTPStatus(exc.status_code).phrase
        except ValueError:
            phrase = "Error"
        error = phrase.lower().replace(" ", "_").replace("-", "_")
        message = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else f"{phrase}."
    return ApiError(exc.status_code, error, message, headers=headers).response()


def _from_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "path", "query"))
    reason = str(first.get("msg", "is not valid")).rstrip(".")
    message = f"{where}: {reason}." if where else f"The request is not valid: {reason}."
    return ApiError(422, "invalid_request", message).response()


def _from_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("Unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    # Connection: close, so a client that reuses the connection reads this answer, not a reset.
    return ApiError(
        500,
        "internal_error",
        "Something went wrong on the consent server. Please try again in a moment.",
        headers={"Connection": "close"},
    ).response()


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, lambda request, exc: exc.response())
    app.add_exception_handler(r.Refusal, lambda request, exc: as_api_error(exc).response())
    # Starlette types every handler as taking any Exception, though it calls each with its own class.
    app.add_exception_handler(StarletteHTTPException, _from_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _from_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _from_unexpected)
