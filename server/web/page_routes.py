"""What a browser reaches: the emailed join link's page and downloads (server.web.join_routes),
the demo sessions' join page and the pages' static files. The join pages tell a real code from a
wrong one, so the limit counts them."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from server.domain.sessions import require_code, unknown_code
from server.templating import PAGE_HEADERS, static_files
from server.web.customer_routes import client_address
from server.web.errors import ApiError
from server.web.join_routes import add_join_routes
from server.web.pages import demo_join_page
from server.web.services import Services


def add_page_routes(app: FastAPI, services: Services) -> None:
    store, db, brand, wrong_codes = services.store, services.db, services.brand, services.wrong_codes
    static = static_files()

    @app.get("/static/{name}")
    async def static_file(name: str) -> Response:
        if name not in static:
            raise ApiError(404, "not_found", "There is nothing at this address on the consent server.")
        body, media_type = static[name]
        return Response(body, media_type=media_type)

    add_join_routes(app, services)

    if services.config.demo:

        @app.get("/demo/join/{code}", response_class=HTMLResponse)
        async def demo_join(code: str, request: Request) -> HTMLResponse:
            require_code(code)
            async with wrong_codes.guarding(client_address(request)):
                session = await db.run(store.session, code)
                if session is None:
                    raise unknown_code(code)
            return HTMLResponse(demo_join_page(session, brand), headers=PAGE_HEADERS)
