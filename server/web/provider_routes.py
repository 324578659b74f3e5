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
    store, brand, providers = services.store, services.brand, services.providers
    require_technician = technician_check(services)

    @app.post("/api/v1/sessions/{code}/provider")
    async def switch(code: str, request: Request) -> dict[str, Any]:
        require_technician(request)
        require_code(code)
        provider, technician = parse_switch(await json_body(request, InvalidRequest))
        switched = await switch_provider(store, providers, brand, code, provider, technician)
        with store.reading() as tx:
            switches = tx.provider_switches(code)
        return switch_answer(switched, switches)

    @app.get("/api/v1/sessions/{code}/provider")
    async def state(code: str, request: Request) -> dict[str, Any]:
        require_technician(request)
        require_code(code)
        return provider_state(store, code)

    @app.post("/api/v1/sessions/{code}/connection")
    async def connection(code: str, request: Request) -> dict[str, Any]:
        require_code(code)
        with services.wrong_codes.counting(client_address(request)):
            return connection_answer(store, code, await json_body(request, InvalidRequest))
