"""One wire contract: docs/server-api.md, docs/openapi.json, app.core.contract and the server's
routes say the same, and the whole tree has one session-code pattern and one UTC time format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.core import contract
from app.core.contract import ERROR_WORDS, ROUTES, SESSION, SESSION_CREATED
from app.core.wire import Object
from server.config import ServerConfig
from server.web.app import create_app
from server.web.errors import REFUSALS
from server.web.openapi import openapi_document, openapi_json

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "server-api.md"
# Words only the HTTP edge says (not domain refusals).
EDGE_WORDS = {
    "too_large", "not_found", "method_not_allowed", "unsupported_media_type", "internal_error",
    "bad_request", "request_timeout", "request_header_too_large", "server_busy",
}


def doc_rows() -> dict[tuple[str, str], str]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `(GET|POST|PUT|PATCH|DELETE) (/[^`]*)` \|(.*)", line)
        if match:
            rows[(match.group(1), match.group(2))] = match.group(3)
    return rows


def test_the_doc_names_exactly_the_contracts_routes() -> None:
    assert set(doc_rows()) == {(route.method, route.path) for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_each_doc_row_names_the_routes_statuses_words_and_fields(route) -> None:
    row = doc_rows()[(route.method, route.path)]
    for answer in route.answers:
        assert re.search(rf"`{answer.status}\b", row), f"{answer.status} is not in the row"
        for word in answer.words:
            assert re.search(rf"\b{answer.status} {word}\b|`{answer.status} [^`]*\b{word}\b|\b{word}\b", row), word
    bodies = [route.request, *(answer.body for answer in route.answers if answer.status < 300)]
    for body in bodies:
        if not isinstance(body, Object):
            continue
        # The created session's row points at the look-up's ("session (below)").
        fields = set(body.fields) - set(SESSION.fields) if body is SESSION_CREATED else set(body.fields)
        missing = [name for name in fields if f'"{name}"' not in row and f"`{name}`" not in row]
        assert missing == [], f"{body.name} fields missing from the doc row"


def test_the_server_serves_exactly_the_contracts_routes(tmp_path: Path) -> None:
    # The routes the app declares, read without serving a request: the engine plays no part.
    app = create_app(ServerConfig.resolve(tmp_path / "c.sqlite3", token="t" * 40, demo=True, environ={}))
    try:
        served = {
            (method, route.path)
            for route in app.routes
            for method in getattr(route, "methods", None) or ()
            if method != "HEAD"
        }
    finally:
        app.state.store.close()
    assert served == {(route.method, route.path) for route in ROUTES}


def test_error_words_are_the_servers_and_the_contracts() -> None:
    domain_words = {word for _, word in REFUSALS.values()}
    assert domain_words | EDGE_WORDS == set(ERROR_WORDS)
    used = {word for route in ROUTES for answer in route.answers for word in answer.words}
    assert used <= set(ERROR_WORDS)
    for kind, (status, word) in REFUSALS.items():
        # Each refusal's status is one the contract gives its word somewhere.
        assert any(word in a.words and a.status == status for r in ROUTES for a in r.answers) or word in (
            "invalid_request",
        ), (kind.__name__, status, word)


def test_the_committed_openapi_document_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_bytes()
    assert committed == openapi_json(), "run: python -m server openapi > docs/openapi.json"
    document = json.loads(committed)
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {route.path for route in ROUTES}
    # Every object the contract names is a component, closed to unknown keys.
    for name, schema in document["components"]["schemas"].items():
        assert schema["type"] == "object" and schema["additionalProperties"] is False, name


def test_the_server_serves_its_openapi_document(consent_server) -> None:
    import httpx

    served = httpx.get(f"{consent_server.base_url}/openapi.json")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    assert served.json() == openapi_document(include_demo=True)


def _python_sources() -> list[Path]:
    return [path for folder in ("app", "server") for path in (ROOT / folder).rglob("*.py")]


def test_one_session_code_pattern_in_the_tree() -> None:
    nine_digits = re.compile(r"\[0-9\]\{9\}|\\d\{9\}|\{CODE_LENGTH\}|\[0-9\]\{3\}\[0-9\]\{3\}")
    found = sorted(
        str(path.relative_to(ROOT))
        for path in _python_sources()
        if nine_digits.search(path.read_text(encoding="utf-8"))
    )
    assert found == ["app/core/session_code.py"]
    assert contract.SESSION_CODE.pattern == "[0-9]{9}"


def test_one_utc_time_formatter_in_the_tree() -> None:
    formatting = re.compile(r"""replace\(\s*["']\+00:00["']\s*,\s*["']Z["']\s*\)|strftime\([^)]*%Y-%m-%dT""")
    found = sorted(
        str(path.relative_to(ROOT)) for path in _python_sources() if formatting.search(path.read_text(encoding="utf-8"))
    )
    assert found == ["app/core/utc_time.py"]
