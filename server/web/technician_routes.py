"""What a technician (or the helpdesk tool acting for one) reaches, with the bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from server.domain.consents import consent_answer
from server.domain.console_sessions import session_facts
from server.domain.provider_sessions import open_support_session
from server.domain.refusals import InvalidRequest, NotATechnician, TooManyWrongCodes
from server.domain.sessions import created_answer, parse_new_session, require_code
from server.domain.technicians import Technician, technician_for_api_token
from server.storage import SessionOwnerRow
from server.web.body import json_body
from server.web.services import Services


def technician_check(services: Services) -> Callable[[Request], Awaitable[Technician | None]]:
    """``await require_technician(request)``: the technician whose own API token (made in the
    console) the request carries; None for the server's shared token (``--token``), kept for
    integrations made before per-technician tokens; anything else is refused. The token is looked
    up on the store's thread."""
    store, db = services.store, services.db
    token = services.config.technician_token.encode("utf-8")

    async def require_technician(request: Request) -> Technician | None:
        # Wrong tokens are counted per network like wrong codes, so nobody can try tokens at speed;
        # the guess is taken before the look-up's await, as for codes.
        address = request.client.host if request.client else None
        try:
            guess = await services.wrong_tokens.take_soon(address)
        except TooManyWrongCodes as refusal:
            raise TooManyWrongCodes(
                "Too many wrong technician tokens were tried from this address. "
                f"Wait {refusal.retry_after} seconds, then try again.",
                retry_after=refusal.retry_after,
            ) from None
        try:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            given = given.strip()
            if scheme.lower() == "bearer":
                technician = await db.run(technician_for_api_token, store, given)
                if technician is not None:
                    return technician
                # Starlette decodes headers as Latin-1; encoding back gives the bytes the client sent,
                # so compare_digest works on bytes (it refuses non-ASCII str) and a UTF-8 token matches.
                if hmac.compare_digest(given.encode("latin-1"), token):
                    return None
            services.wrong_tokens.settle(guess, wrong=True)
            raise NotATechnician("This needs a technician's token (Authorization: Bearer <token>).")
        finally:
            services.wrong_tokens.settle(guess, wrong=False)  # no-op once settled as wrong

    return require_technician


def _named_for(technician: Technician, data: Any) -> Any:
    """The request with the token's technician as the session's technician, whatever it said."""
    if not isinstance(data, dict):
        return data
    if data.get("technician", technician.name) != technician.name:
        raise InvalidRequest(f"This token belongs to {technician.name}; leave out technician (or give that name).")
    return {**data, "technician": technician.name}


def add_technician_routes(app: FastAPI, services: Services) -> None:
    store, db, config = services.store, services.db, services.config
    require_technician = technician_check(services)

    @app.post("/api/v1/sessions")
    async def create_session(request: Request) -> JSONResponse:
        technician = await require_technician(request)
        data = await json_body(request, InvalidRequest)
        owner = None
        if technician is not None:
            data = _named_for(technician, data)
            owner = SessionOwnerRow(code="", technician_id=technician.id, customer_name=None, customer_email=None)
        new = parse_new_session(data)
        # A pasted link is checked with the launcher's allow-list; without one, the provider's
        # API opens the session (Zoho Assist unless provider says TeamViewer).
        session = await open_support_session(store, services.providers, services.brand, new, owner=owner, run=db.run)
        services.live.changed()
        link = config.customer_link(session.code, str(request.base_url))
        answer = created_answer(session, services.brand.company, services.words_secret, link)
        return JSONResponse(answer, status_code=201)

    @app.get("/api/v1/sessions/{code}/consent")
    async def read_consent(code: str, request: Request) -> dict[str, Any]:
        technician = await require_technician(request)
        require_code(code)
        if technician is not None:
            await db.run(session_facts, store, technician, code)  # another technician's session is not theirs to read
        return await db.run(consent_answer, store, code)
