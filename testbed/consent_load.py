"""The consent load of ``make bench-server`` and ``make bench-server-pg``: sessions opened
beforehand, then the same keep-alive clients measure ``GET /healthz`` (the HTTP stack alone) and
consent POSTs (each client repeating its first receipt once: answered, not stored twice), and
one markdown row of the figures for the README.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from app.core.contract import TICKET_HEADER
from testbed.consent_records import make_record
from testbed.http_load import Load, Request, ServerCpu, load_average, p50_p99, request_bytes, run_load

BUDGET_P99_MS = 50.0
JOIN_URL = "https://assist.zoho.com/join?role=A&key=1"
TABLE_HEAD = (
    "| engine | clients | processes | offered | GET /healthz p50 / p99 ms | consent POST p50 / p99 ms | p99 ratio "
    "| server CPU ms per healthz / consent | database CPU ms per consent | consents/s | stored | load average |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


@dataclass(frozen=True)
class OpenSession:
    code: str
    ticket: str  # what the launcher's look-up got, and sends with its consent


def open_sessions(base_url: str, token: str, count: int) -> list[OpenSession]:
    """``count`` sessions, each looked up once as the customer's launcher does."""
    sessions = []
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        for _ in range(count):
            created = api.post("/api/v1/sessions", json={"technician": "Bench", "join_url": JOIN_URL})
            created.raise_for_status()
            code = created.json()["code"]
            looked_up = api.get(f"/api/v1/sessions/{code}")
            looked_up.raise_for_status()
            # A release before consent tickets answers without one (--tree, for before/after).
            sessions.append(OpenSession(code, looked_up.json().get("consent_ticket", "")))
    return sessions


def consent_request(session: OpenSession, record: dict | None = None) -> Request:
    record = record or make_record(session.code)
    headers = {TICKET_HEADER: session.ticket} if session.ticket else {}
    raw = request_bytes("POST", f"/api/v1/sessions/{session.code}/consent", json.dumps(record).encode(), headers)
    return Request(raw, record["receipt_id"])


def consent_requests(sessions: Sequence[OpenSession], clients: int, per_client: int) -> list[list[Request]]:
    """Client i's own consents, then its first one again (must be answered, not stored again)."""
    requests = []
    for i in range(clients):
        own = [consent_request(session) for session in sessions[i * per_client : (i + 1) * per_client]]
        requests.append([*own, own[0]])
    return requests


def health_requests(clients: int, per_client: int) -> list[list[Request]]:
    return [[Request(request_bytes("GET", "/healthz"))] * per_client for _ in range(clients)]


@dataclass
class Row:
    """One run: the same clients, ``/healthz`` then consents, and what the database holds."""

    name: str
    clients: int
    processes: int
    health: Load
    consents: Load
    cpu_health_ms: float  # server CPU per request
    cpu_consent_ms: float
    stored: int
    expected: int
    rate: float | None = None  # requests/s offered, or None: closed loop
    cpu_database_ms: float | None = None  # PostgreSQL's processes, per consent
    notes: str = ""
    load_average: str = ""

    @property
    def every_answer_right(self) -> bool:
        # Every consent and every repeat got its 201, and the database holds each once.
        return self.consents.statuses.get(201, 0) == self.expected + self.clients and self.stored == self.expected

    @property
    def ok(self) -> bool:
        return p50_p99(self.consents.latencies)[1] <= BUDGET_P99_MS and self.every_answer_right

    def markdown(self) -> str:
        h50, h99 = p50_p99(self.health.latencies)
        c50, c99 = p50_p99(self.consents.latencies)
        notes = self.notes
        if not self.every_answer_right:
            notes = f"{notes} statuses {self.consents.statuses}".strip()
        offered = "closed loop" if self.rate is None else f"{self.rate:.0f}/s"
        database = "-" if self.cpu_database_ms is None else f"{self.cpu_database_ms:.2f}"
        return (
            f"| {self.name} | {self.clients} | {self.processes} | {offered} | {h50:.1f} / {h99:.1f} | {c50:.1f} / {c99:.1f} "
            f"| {c99 / h99:.2f}x | {self.cpu_health_ms:.2f} / {self.cpu_consent_ms:.2f} | {database} | {self.consents.throughput:.0f} "
            f"| {self.stored} of {self.expected} | {self.load_average} |" + (f" {notes}" if notes else "")
        )


def measure(
    name: str,
    ports: Sequence[int],
    pids: Sequence[int],
    token: str,
    count_stored: Callable[[], int],
    *,
    clients: int,
    per_client: int,
    rate: float | None = None,
    kill: tuple[Callable[[], None], float] | None = None,
    after: Callable[[Load], str] | None = None,
    database_pids: Sequence[int] = (),
) -> Row:
    """Open the sessions through ``ports[0]``, run both loads, count what is stored (less the
    untimed warm-up consents, one per client, each of which must have got its 201). ``kill``:
    (what kills a process, after which fraction of the consents); ``after(load)`` adds a note."""
    sessions = open_sessions(f"http://127.0.0.1:{ports[0]}", token, clients * (per_client + 1))
    # Untimed: one consent per client first, so each process has opened the database connections
    # it needs (a pool grows on demand) and the figures are the steady state's.
    warm = asyncio.run(run_load(ports, [[consent_request(session)] for session in sessions[-clients:]]))
    assert warm.statuses == {201: clients}, f"the warm-up consents were not all stored: {warm.statuses}"
    sessions = sessions[:-clients]
    cpu = ServerCpu(pids)
    started = cpu.seconds()
    health = asyncio.run(run_load(ports, health_requests(clients, per_client), rate=rate))
    between = cpu.seconds()
    database_cpu = ServerCpu(database_pids) if database_pids else None
    database_started = database_cpu.seconds() if database_cpu else 0.0
    requests = consent_requests(sessions, clients, per_client)
    killing = None if kill is None else (kill[0], int(kill[1] * sum(len(r) for r in requests)))
    average = load_average()
    consents = asyncio.run(run_load(ports, requests, rate=rate, kill=killing))
    ended = cpu.seconds()
    database_ms = None
    if database_cpu is not None:
        database_ms = (database_cpu.seconds() - database_started) * 1000 / max(1, len(consents.latencies))
    notes = after(consents) if after is not None else ""
    return Row(
        name, clients, len(ports), health, consents,
        cpu_health_ms=(between - started) * 1000 / max(1, len(health.latencies)),
        cpu_consent_ms=(ended - between) * 1000 / max(1, len(consents.latencies)), cpu_database_ms=database_ms,
        stored=count_stored() - clients, expected=clients * per_client, rate=rate, notes=notes, load_average=average,
    )
