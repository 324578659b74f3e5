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
from server.domain.sessions import require_code
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


def _refused(services: Services, request: Request, refusal: r.Refusal, code: str, session: SessionRow | None) -> Response:
    error = as_api_error(refusal)
    if wants_json(request):
        return error.response()
    status, _ = refusal_status(refusal)
    page = refused_page(refusal_words(refusal, services.brand, code, session), services.brand)
    return HTMLResponse(page, status_code=status, headers={**PAGE_HEADERS, "Vary": _VARY, **(error.headers or {})})


async def _why_not(services: Services, request: Request, code: str) -> tuple[SessionRow | None, r.Refusal | None]:
    """The session behind ``code`` and, when the link cannot start it, the refusal. The limit's
    guess is taken before anything is awaited, and the session is read on the store's thread."""
    try:
        require_code(code)
    except r.InvalidCode as invalid:
        return None, invalid
    try:
        async with services.wrong_codes.guarding(client_address(request)):
            session = await services.db.run(services.store.session, code)
            refusal = join_refusal(session, code)
            if isinstance(refusal, r.UnknownCode):
                raise refusal  # counted as a wrong code; an ended session's page is not
    except (r.TooManyWrongCodes, r.UnknownCode) as refused:
        return None, refused
    return session, refusal


def add_join_routes(app: FastAPI, services: Services) -> None:
    async def join(request: Request) -> Response:
        code = request.path_params["code"]
        session, refusal = await _why_not(services, request, code)
        if refusal is not None or session is None:
            return _refused(services, request, refusal or r.UnknownCode(code), code, session)
        downloads = await services.launchers.for_session(session.code)
        page = join_page(session, services.brand, downloads, visitor_system(request.headers))
        return HTMLResponse(page, headers={**PAGE_HEADERS, "Vary": _VARY})

    async def download(request: Request) -> Response:
        code = request.path_params["code"]
        session, refusal = await _why_not(services, request, code)
        if refusal is not None or session is None:
            return _refused(services, request, refusal or r.UnknownCode(code), code, session)
        offered = await services.launchers.one(session.code, request.path_params["filename"])
        if offered is None:
            raise ApiError(404, "not_found", "There is no such download for this session.")
        return download_response(request, offered)

    # Plain Starlette routes: GET also answers HEAD, which a download manager asks first.
    app.add_route("/join/{code}", join, methods=["GET"])
    app.add_route("/join/{code}/download/{filename}", download, methods=["GET", "HEAD"])
