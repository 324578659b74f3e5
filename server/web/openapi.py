"""The OpenAPI 3.1 document of the API, made from the wire contract (:mod:`app.core.contract`).

Served at ``/openapi.json`` and kept in ``docs/openapi.json`` (``python -m server openapi``
writes it; a test fails when the two differ), for helpdesk tools that integrate with Phonetex.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from app import __version__
from app.core.contract import ERROR, HTTP_LAYER_REFUSALS, JSON, ROUTES, SERVER_FAILURE, Answer, Route
from app.core.wire import named_objects, reference

_DESCRIPTION = (
    "The consent server of the Phonetex Support Launcher: technicians open support sessions, "
    "customers' launchers look them up and record consent, and only a recorded consent hands out "
    "the session's join link. Every error is JSON with a machine word (`error`) and a sentence "
    "for a person (`message`); clients show their own words for each error word. "
    "See docs/server-api.md."
)


def _answer(answer: Answer) -> dict[str, Any]:
    media = [kind.strip() for kind in answer.media.split(",") if kind.strip()]
    if answer.body is None:
        content = {kind: {"schema": {"type": "string"} if not kind.endswith("json") else {"type": "object"}}
                   for kind in media}
        return {"description": "OK", "content": content} if content else {"description": "No body"}
    schema = reference(answer.body)
    if answer.body is ERROR and answer.words:
        # Only the words this status carries on this route.
        schema = {"allOf": [schema, {"type": "object", "properties": {"error": {"enum": list(answer.words)}}}]}
    # A JSON body; a route that also answers browsers may send a page instead.
    pages = {kind: {"schema": {"type": "string"}} for kind in media if kind != JSON}
    described = {
        "description": ", ".join(f"`{word}`" for word in answer.words) if answer.words else "OK",
        "content": {**pages, JSON: {"schema": schema}},
    }
    if answer.status == 429:
        described["headers"] = {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer", "minimum": 1}}
        }
    return described


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": route.summary,
        "operationId": f"{route.method.lower()}_{route.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "responses": {
            **{str(answer.status): _answer(answer) for answer in route.answers},
            # The same on every route: described once, under components.
            **{str(answer.status): {"$ref": f"#/components/responses/{answer.words[0]}"} for answer in HTTP_LAYER_REFUSALS},
            str(SERVER_FAILURE.status): _answer(SERVER_FAILURE),
        },
    }
    if route.parameters:
        operation["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": spec.json_schema()}
            for name, spec in route.parameters.items()
        ]
    if route.request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": reference(route.request)}},
        }
    if route.who == "technician":
        operation["security"] = [{"technician": []}]
    if route.demo_only:
        operation["description"] = "Served only by a server started with --demo."
    return operation


def openapi_document(*, include_demo: bool = True) -> dict[str, Any]:
    routes = [route for route in ROUTES if include_demo or not route.demo_only]
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    bodies = [spec for route in routes for spec in (route.request, *(a.body for a in route.answers)) if spec]
    schemas = {name: spec.json_schema() for name, spec in sorted(named_objects([*bodies, ERROR]).items())}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Phonetex consent server", "version": __version__, "description": _DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {answer.words[0]: _answer(answer) for answer in HTTP_LAYER_REFUSALS},
            "securitySchemes": {
                "technician": {"type": "http", "scheme": "bearer", "description": "The technicians' token."}
            },
        },
    }


@cache
def openapi_json(include_demo: bool = True) -> bytes:
    """The document as the server serves it and ``docs/openapi.json`` holds it."""
    return (json.dumps(openapi_document(include_demo=include_demo), indent=2, ensure_ascii=False) + "\n").encode()
