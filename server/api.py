"""The HTTP API of ``docs/server-api.md`` as a FastAPI application."""

from __future__ import annotations

from dataclasses import asdict
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.brand import load_brand
from app.core.terms import load_terms
from server.config import ServerConfig
from server.consents import consent_answer, prepare_consent
from server.db import ConsentStore
from server.errors import ApiError, install_error_handlers
from server.group_commit import ConsentWriter
from server.pages import demo_join_page, join_page
from server.rate_limit import FailedLookups
from server.templating import PAGE_HEADERS, static_files
from server.sessions import (
    NewSessionError,
    created_answer,
    parse_new_session,
    require_code,
    require_live_session,
    session_answer,
    too_many_wrong_codes,
    unknown_code,
)

# A consent record with 200 apps on each list stays well under this; anything bigger is not one.
MAX_BODY_BYTES = 256 * 1024


class _NoStore:
    """Answers hold consent records and join links: no proxy or browser cache may keep them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"cache-control", b"no-store"),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def _json_body(request: Request, error: str) -> Any:
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
        raise ApiError(422, error, "The request body is not valid JSON.") from None


def create_app(config: ServerConfig, *, store: ConsentStore | None = None) -> FastAPI:
    """Build the server. It opens ``config.db_path`` unless given a ``store``; the store is at
    ``app.state.store`` and whoever runs the app closes it after the app stops serving."""
    store = store or ConsentStore(config.db_path)
    brand = load_brand()
    # Read once: the terms only change with a new release, and every consent compares against them.
    terms = load_terms(brand)
    token = config.technician_token.encode("utf-8")

    app = FastAPI(
        title=f"{brand.company} consent server",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    app.state.store = store
    app.state.config = config
    install_error_handlers(app)
    app.add_middleware(_NoStore)

    def require_technician(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # Starlette decodes headers as Latin-1; encoding back gives the bytes the client sent, so
        # compare_digest works on bytes (it refuses non-ASCII str) and a UTF-8 token still matches.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("latin-1"), token):
            raise ApiError(
                401,
                "unauthorized",
                "This needs a technician's token (Authorization: Bearer <token>).",
                headers={"WWW-Authenticate": "Bearer"},
            )

    consents = ConsentWriter(store)
    wrong_codes = FailedLookups(config.lookup_limit)
    app.state.wrong_codes = wrong_codes

    @contextmanager
    def counting_wrong_codes(request: Request) -> Iterator[None]:
        """Around every answer that tells a real code from a wrong one (see server.rate_limit)."""
        address = request.client.host if request.client else None
        wait = wrong_codes.retry_after(address)
        if wait is not None:
            raise too_many_wrong_codes(wait)
        try:
            yield
        except ApiError as error:
            if error.status in (404, 410):  # no such session, or one that is over
                wrong_codes.record_failure(address)
            raise

    # Routes are async and call the store directly on the event loop: each store call takes a
    # fraction of a millisecond, and handing it to the threadpool cost more than it saved (GIL
    # hand-offs; with 50 clients posting at once, p99 went from about 45 ms to over 100 ms).
    # Consents, the one write customers make at once, go through the group-commit writer.
    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/sessions")
    async def create_session(request: Request) -> JSONResponse:
        require_technician(request)
        try:
            new = parse_new_session(await _json_body(request, "invalid_request"))
        except NewSessionError as exc:
            raise ApiError(422, "invalid_request", str(exc)) from None
        session = store.create_session(**asdict(new))
        link = config.customer_link(session.code, str(request.base_url))
        return JSONResponse(created_answer(session, brand.company, store.words_secret(), link), status_code=201)

    @app.get("/api/v1/sessions/{code}")
    async def look_up_session(code: str, request: Request) -> dict[str, Any]:
        require_code(code)
        with counting_wrong_codes(request):
            session = require_live_session(store.session(code), code)
        return session_answer(session, brand.company, store.words_secret())

    async def give_consent(request: Request) -> Response:
        code = require_code(request.path_params["code"])
        with counting_wrong_codes(request):
            consent = prepare_consent(code, await _json_body(request, "invalid_record"), terms=terms)
            answer = await consents.record(consent)
        return Response(answer, status_code=201, media_type="application/json")

    # A plain Starlette route: the hot path of 50 customers at once skips FastAPI's parameter
    # solving and per-request exit stacks (measured: p99 35 ms -> 19 ms in `make bench-server`).
    # The middleware and the JSON error handlers still apply as to every other route.
    app.add_route("/api/v1/sessions/{code}/consent", give_consent, methods=["POST"])

    @app.get("/api/v1/sessions/{code}/consent")
    async def read_consent(code: str, request: Request) -> dict[str, Any]:
        require_technician(request)
        require_code(code)
        return consent_answer(store, code)

    static = static_files()

    @app.get("/static/{name}")
    async def static_file(name: str) -> Response:
        if name not in static:
            raise ApiError(404, "not_found", "There is nothing at this address on the consent server.")
        body, media_type = static[name]
        return Response(body, media_type=media_type)

    @app.get("/join/{code}", response_class=HTMLResponse)
    async def join(code: str, request: Request) -> HTMLResponse:
        require_code(code)
        with counting_wrong_codes(request):
            session = require_live_session(store.session(code), code)
        return HTMLResponse(join_page(session, brand), headers=PAGE_HEADERS)

    if config.demo:

        @app.get("/demo/join/{code}", response_class=HTMLResponse)
        async def demo_join(code: str, request: Request) -> HTMLResponse:
            require_code(code)
            with counting_wrong_codes(request):
                session = store.session(code)
                if session is None:
                    raise unknown_code(code)
            return HTMLResponse(demo_join_page(session, brand), headers=PAGE_HEADERS)

    return app
