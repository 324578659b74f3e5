"""Provider routes: a technician switches a session to the other provider and reads what the
provider's report says; the customer's launcher asks, while its Connect page is open, which
provider and link the session is on now."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from server.domain.provider_sessions import (
    connection_answer,
    parse_switch,
    provider_state,
    provider_switches,
    switch_answer,
    switch_provider,
)
from server.domain.refusals import InvalidRequest
from server.domain.sessions import require_code
from server.web.body import json_body
from server.web.customer_routes import client_address
from server.web.services import Services
from server.web.technician_routes import technician_check


def add_provider_routes(app: FastAPI, services: Services) -> None:
    # Every store call runs on the store's thread (services.db): the event loop never waits on disk.
    store, db, brand, providers = services.store, services.db, services.brand, services.providers
    require_technician = technician_check(services)

    @app.post("/api/v1/sessions/{code}/provider")
    async def switch(code: str, request: Request) -> dict[str, Any]:
        await require_technician(request)
        require_code(code)
        provider, technician = parse_switch(await json_body(request, InvalidRequest))
        switched = await switch_provider(store, providers, brand, code, provider, technician, run=db.run)
        switches = await db.run(provider_switches, store, code)
        return switch_answer(switched, switches)

    @app.get("/api/v1/sessions/{code}/provider")
    async def state(code: str, request: Request) -> dict[str, Any]:
        await require_technician(request)
        require_code(code)
        return await db.run(provider_state, store, code)

    @app.post("/api/v1/sessions/{code}/connection")
    async def connection(code: str, request: Request) -> dict[str, Any]:
        require_code(code)
        # The guess is taken before the body is read (a slow body holds it, not a fresh one).
        async with services.wrong_codes.guarding(client_address(request)):
            question = await json_body(request, InvalidRequest)
            return await db.run(connection_answer, store, code, question)
