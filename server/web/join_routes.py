"""The emailed link's routes: ``/join/<code>`` (the page) and ``/join/<code>/download/<file>``.

Browsers get HTML for every outcome; a client that asks for JSON (``Accept: application/json``
without ``text/html``) gets the API's JSON errors instead. Only unknown codes count against the
wrong-code limit: an expired, cancelled or used code is a real one a customer was sent, and its
page must not lock out an office. The limit is consulted and the failure counted before any
await, so no number of requests in flight at once gets more wrong codes looked at than the budget.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.domain import refusals as r
from server.domain.join_state import join_refusal
from server.domain.sessions import require_code, too_many_wrong_codes
from server.storage import SessionRow
from server.templating import PAGE_HEADERS
from server.web.customer_routes import client_address
from server.web.download_response import download_response
from server.web.errors import ApiError, as_api_error, refusal_status
from server.web.pages import join_page, refusal_words, refused_page
from server.web.services import Services
from server.web.visitor_system import visitor_system

# The page depends on these request headers; tools and any cache in between should know.
_VARY = "Accept, User-Agent, Sec-CH-UA-Platform, Sec-CH-UA-Mobile"


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def add_join_routes(app: FastAPI, services: Services) -> None:
    store, brand, wrong_codes, launchers = services.store, services.brand, services.wrong_codes, services.launchers

    def refused(request: Request, refusal: r.Refusal, code: str, session: SessionRow | None = None) -> Response:
        error = as_api_error(refusal)
        if wants_json(request):
            return error.response()
        status, _ = refusal_status(refusal)
        page = refused_page(refusal_words(refusal, brand, code, session), brand)
        return HTMLResponse(page, status_code=status, headers={**PAGE_HEADERS, "Vary": _VARY, **(error.headers or {})})

    def live_session(request: Request, code: str) -> SessionRow | Response:
        """The live session behind ``code``, or the answer that says why there is none."""
        try:
            require_code(code)
        except r.InvalidCode as refusal:
            return refused(request, refusal, code)
        address = client_address(request)
        wait = wrong_codes.retry_after(address)
        if wait is not None:
            return refused(request, too_many_wrong_codes(wait), code)
        session = store.session(code)
        refusal = join_refusal(session, code)
        if isinstance(refusal, r.UnknownCode):
            wrong_codes.record_failure(address)
        if refusal is not None:
            return refused(request, refusal, code, session)
        assert session is not None
        return session

    async def join(request: Request) -> Response:
        found = live_session(request, request.path_params["code"])
        if isinstance(found, Response):
            return found
        downloads = await launchers.for_session(found.code)
        page = join_page(found, brand, downloads, visitor_system(request.headers))
        return HTMLResponse(page, headers={**PAGE_HEADERS, "Vary": _VARY})

    async def download(request: Request) -> Response:
        found = live_session(request, request.path_params["code"])
        if isinstance(found, Response):
            return found
        offered = await launchers.one(found.code, request.path_params["filename"])
        if offered is None:
            raise ApiError(404, "not_found", "There is no such download for this session.")
        return download_response(request, offered)

    # Plain Starlette routes: GET also answers HEAD, which a download manager asks first.
    app.add_route("/join/{code}", join, methods=["GET"])
    app.add_route("/join/{code}/download/{filename}", download, methods=["GET", "HEAD"])
