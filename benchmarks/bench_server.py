"""Load benchmark of the reference consent server: 50 concurrent clients posting consents.

    make bench-server            # or: .venv/bin/python benchmarks/bench_server.py [--clients 50 --per-client 20]
    .venv/bin/python benchmarks/bench_server.py --runs 3 --tree /path/to/other/checkout   # before/after

Starts the real server as its own process (``python -m server serve``) on a free loopback port
with a fresh SQLite file, opens one session per consent beforehand, then runs two loads with the
same 50 keep-alive connections from this process:

* baseline: ``GET /healthz`` (the HTTP stack alone, no database);
* consent: ``POST /api/v1/sessions/<code>/consent``, each client also repeating its first
  receipt once (must be answered, not stored twice).

It prints p50/p99 latency of both, the ratio, the server's CPU time per request (which the other
programs on a shared machine disturb far less than latency), and checks that the database holds
exactly one consent per session: nothing lost, nothing doubled; each run as a markdown row for the
README (``--runs N``: N fresh servers, N rows). Budget (DESIGN.md): p99 consent POST ≤ 50 ms.

Then, on the same server:

* stuck writer: another connection holds SQLite's write lock for 5 s while a consent waits for
  it; ``GET /healthz`` p99 meanwhile, against the idle p99 of the same run (budget ≤ 50 ms);
* wrong-code burst: 1 000 connections from one address send the headers of a consent POST for a
  wrong code, then all their bodies at once; how many were processed (404) before the lock-out,
  against the per-network budget.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.domain.limits import LookupLimit
from testbed.consent_load import BUDGET_P99_MS, TABLE_HEAD, Row, measure, open_sessions
from testbed.consent_records import make_record
from testbed.http_load import exchange, percentile, request_bytes
from testbed.server_processes import REPO, start_server


async def health_while(port: int, clients: int, stop: asyncio.Event) -> list[float]:
    """``GET /healthz`` from ``clients`` connections, one after another on each, until ``stop``."""
    latencies: list[float] = []

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not stop.is_set():
            began = time.perf_counter()
            await exchange(reader, writer, request_bytes("GET", "/healthz"))
            latencies.append((time.perf_counter() - began) * 1000)
        writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


def stuck_writer(port: int, db: Path, code: str, hold_seconds: float) -> tuple[list[float], list[float], int]:
    """Idle /healthz latencies, /healthz latencies while the write lock is held, and the status
    of the consent that waited for the lock."""

    async def run() -> tuple[list[float], list[float], int]:
        stop = asyncio.Event()
        idle_task = asyncio.create_task(health_while(port, 10, stop))
        await asyncio.sleep(hold_seconds / 2)
        stop.set()
        idle = await idle_task
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, as a backup tool or a second server would hold it
        body = json.dumps(make_record(code)).encode()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        consent = asyncio.create_task(exchange(reader, writer, request_bytes("POST", f"/api/v1/sessions/{code}/consent", body)))
        stop = asyncio.Event()
        stuck_task = asyncio.create_task(health_while(port, 10, stop))
        await asyncio.sleep(hold_seconds)
        stop.set()
        stuck = await stuck_task
        holder.execute("ROLLBACK")
        holder.close()
        status, _ = await consent
        writer.close()
        return idle, stuck, status

    return asyncio.run(run())


def wrong_code_burst(port: int, connections: int) -> dict[int, int]:
    """Statuses of ``connections`` consent POSTs for wrong codes from one address, headers first."""

    async def run() -> dict[int, int]:
        bodies_go = asyncio.Event()
        statuses: dict[int, int] = {}

        async def one(number: int) -> None:
            code = f"{100000000 + number:09d}"
            body = json.dumps(make_record(code)).encode()
            raw = request_bytes("POST", f"/api/v1/sessions/{code}/consent", body)
            head, payload = raw[: len(raw) - len(body)], body
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head)
            await writer.drain()
            await bodies_go.wait()
            writer.write(payload)
            await writer.drain()
            answer = await reader.readuntil(b"\r\n\r\n")
            status = int(answer.split(b" ", 2)[1])
            statuses[status] = statuses.get(status, 0) + 1
            writer.close()

        tasks = [asyncio.create_task(one(number)) for number in range(connections)]
        await asyncio.sleep(1.0)  # every header sent before any body
        bodies_go.set()
        await asyncio.gather(*tasks)
        return statuses

    return asyncio.run(run())


def one_run(tree: Path, clients: int, per_client: int, *, load: bool, extras: bool) -> tuple[Row | None, list[str], bool]:
    """A fresh server and database: the load row, then (``extras``) the stuck-writer and burst lines."""
    token = "bench-" + os.urandom(16).hex()
    lines: list[str] = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        db = Path(tmp) / "consents.sqlite3"
        server = start_server(db, Path(tmp) / "server.log", token=token, tree=tree)
        try:
            def stored() -> int:
                with sqlite3.connect(db) as conn:
                    return int(conn.execute("SELECT count(*) FROM consents").fetchone()[0])

            row = None
            if load:
                row = measure("SQLite", [server.port], [server.process.pid], token, stored,
                              clients=clients, per_client=per_client)
            if extras:
                spare = open_sessions(server.base_url, token, 1)[0].code
                idle_ms, stuck_ms, waited_status = stuck_writer(server.port, db, spare, hold_seconds=5.0)
                burst = wrong_code_burst(server.port, connections=1000)
                idle_p99, stuck_p99 = percentile(idle_ms, 0.99), percentile(stuck_ms, 0.99)
                lines.append(
                    f"GET /healthz while a writer holds the lock 5 s: p99 {stuck_p99:6.1f} ms ({len(stuck_ms)} requests) "
                    f"against idle p99 {idle_p99:6.1f} ms: {stuck_p99 / idle_p99:.2f}x; the waiting consent got {waited_status}"
                )
                stuck_ok = stuck_p99 <= BUDGET_P99_MS and waited_status == 201
                lines.append(f"budget /healthz p99 <= {BUDGET_P99_MS:.0f} ms while a writer is stuck: {'MET' if stuck_ok else 'NOT MET'}")
                budget = LookupLimit().max_failures
                processed = burst.get(404, 0)
                lines.append(
                    f"wrong-code burst: 1000 concurrent consent POSTs from one address, headers first: {processed} processed "
                    f"before the lock-out (budget {budget}), {burst.get(429, 0)} refused with 429; statuses {burst}"
                )
                burst_ok = processed <= budget and sum(burst.values()) == 1000
                lines.append(f"budget no more wrong codes processed than the limit: {'MET' if burst_ok else 'NOT MET'}")
                ok = stuck_ok and burst_ok
        finally:
            server.stop()
    return row, lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="fresh servers one after another, a row each")
    parser.add_argument("--tree", type=Path, default=REPO, help="run the server of another checkout (before/after)")
    parser.add_argument("--load-only", action="store_true", help="leave out the stuck-writer and burst checks")
    parser.add_argument(
        "--abuse-only", action="store_true",
        help="only the stuck-writer /healthz line and the wrong-code burst (make bench-server-abuse)",
    )
    args = parser.parse_args()
    results = [
        one_run(args.tree, args.clients, args.per_client, load=not args.abuse_only, extras=not args.load_only)
        for _ in range(args.runs)
    ]
    rows = [row for row, _, _ in results if row is not None]
    if rows:
        expected = args.clients * args.per_client
        print(f"clients: {args.clients}, consents: {expected} (+{args.clients} repeats) each run, loopback, "
              f"server in its own process ({args.tree}); {os.cpu_count()} CPUs")
        print(TABLE_HEAD)
        for row in rows:
            print(row.markdown())
    for _, lines, _ in results:
        print("\n".join(lines))
    load_ok = all(row.ok for row in rows)
    if rows:
        print(f"budget p99 <= {BUDGET_P99_MS:.0f} ms and nothing lost: {'MET' if load_ok else 'NOT MET'}")
    return 0 if load_ok and all(ok for _, _, ok in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
