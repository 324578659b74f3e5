"""What a technician (or the helpdesk tool acting for one) reaches, with the bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from server.domain.consents import consent_answer
from server.domain.provider_sessions import open_support_session
from server.domain.refusals import InvalidRequest, NotATechnician
from server.domain.sessions import created_answer, parse_new_session, require_code, words_secret
from server.web.body import json_body
from server.web.services import Services


def technician_check(services: Services) -> Callable[[Request], None]:
    token = services.config.technician_token.encode("utf-8")

    def require_technician(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # Starlette decodes headers as Latin-1; encoding back gives the bytes the client sent, so
        # compare_digest works on bytes (it refuses non-ASCII str) and a UTF-8 token still matches.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("latin-1"), token):
            raise NotATechnician("This needs a technician's token (Authorization: Bearer <token>).")

    return require_technician


def add_technician_routes(app: FastAPI, services: Services) -> None:
    store, config = services.store, services.config
    require_technician = technician_check(services)

    @app.post("/api/v1/sessions")
    async def create_session(request: Request) -> JSONResponse:
        require_technician(request)
        new = parse_new_session(await json_body(request, InvalidRequest))
        # A pasted link is checked with the launcher's allow-list; without one, the provider's
        # API opens the session (Zoho Assist unless provider says TeamViewer).
        session = await open_support_session(store, services.providers, services.brand, new)
        link = config.customer_link(session.code, str(request.base_url))
        answer = created_answer(session, services.brand.company, words_secret(store), link)
        return JSONResponse(answer, status_code=201)

    @app.get("/api/v1/sessions/{code}/consent")
    async def read_consent(code: str, request: Request) -> dict[str, Any]:
        require_technician(request)
        require_code(code)
        return consent_answer(store, code)
