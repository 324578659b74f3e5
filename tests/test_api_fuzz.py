"""A fuzzer no one here wrote: schemathesis (from PyPI) reads docs/openapi.json (made from the one
wire contract, app/core/contract.py, by ``python -m server openapi``; tests/test_contract_docs.py
holds it equal to what the server serves), generates requests for every route in it, sends them
to the real server process, and checks each answer (issue 11): never a 500, a status the
document names, its content type, and a body matching the document's schema. A bounded number
of examples per route keeps it quick."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from testbed.server_processes import TOKEN, ServerProcess, served

# Bounded for make test; PHONETEX_FUZZ_EXAMPLES=500 pytest tests/test_api_fuzz.py digs deeper by hand.
EXAMPLES_PER_ROUTE = int(os.environ.get("PHONETEX_FUZZ_EXAMPLES", "15"))
# make test sends the same examples every run, so a red CI names a change, not a lucky draw;
# PHONETEX_FUZZ_RANDOM=1 draws new ones (by hand, or a nightly job) to look further.
DERANDOMIZE = not os.environ.get("PHONETEX_FUZZ_RANDOM")
# What every answer must keep: no 500, a documented status, content type, headers and body; a
# 405 for an undocumented method that names the documented ones; technician routes refuse
# requests without the token.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
    ignored_auth,
]


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory, module_database: str) -> Iterator[ServerProcess]:
    # On both engines (NUL bytes and huge numbers must not reach PostgreSQL as a 500), and without
    # a wrong-code limit: the fuzzer's wrong codes would otherwise turn later answers into 429.
    folder = tmp_path_factory.mktemp("fuzz")
    with served(folder, "--demo", "--lookup-failures", "1000000000", database=module_database) as server:
        opened = httpx.post(
            f"{server.base_url}/api/v1/sessions",
            json={"technician": "Sam Carter", "join_url": "https://assist.zoho.com/join?role=A&key=123456789"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert opened.status_code == 201, opened.text
        yield server


schema = schemathesis.openapi.from_path(Path(__file__).resolve().parent.parent / "docs" / "openapi.json")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_ROUTE,
    derandomize=DERANDOMIZE,
    database=None if DERANDOMIZE else settings.default.database,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_keeps_the_contract(case, fuzzed_server: ServerProcess) -> None:
    # A request off the schema must be refused, except on the console, which sends a visitor
    # who is not signed in (as the fuzzer is: it has no session cookie) to sign-in before
    # reading the request.
    checks = CHECKS if case.path.startswith("/console") else [*CHECKS, negative_data_rejection]
    case.call_and_validate(
        base_url=fuzzed_server.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=checks,
        timeout=30,
    )


def test_the_fuzzed_server_logged_no_traceback(fuzzed_server: ServerProcess) -> None:
    # After every route's examples above: a client's mistake is never a traceback in the log.
    assert "Traceback" not in fuzzed_server.log.read_text(errors="replace")
