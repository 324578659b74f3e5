"""Load benchmark of the reference consent server: 50 concurrent clients posting consents.

    make bench-server            # or: .venv/bin/python benchmarks/bench_server.py [--clients 50 --per-client 20]

Starts the real server as its own process (``python -m server serve``) on a free loopback port
with a fresh SQLite file, opens one session per consent beforehand, then runs two loads with the
same 50 keep-alive connections from this process:

* baseline: ``GET /healthz`` (the HTTP stack alone, no database);
* consent: ``POST /api/v1/sessions/<code>/consent``, each client also repeating its first
  receipt once (must be answered, not stored twice).

It prints p50/p99 latency of both, the ratio, and checks that the database holds exactly one
consent per session: nothing lost, nothing doubled. Budget (DESIGN.md): p99 consent POST ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from testbed.consent_records import make_record

BUDGET_P99_MS = 50.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, port: int, token: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "PHONETEX_TECHNICIAN_TOKEN": token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the server did not start: {process.stderr.read().decode()[-2000:]}")


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status, (time.perf_counter() - started) * 1000


async def run_load(port: int, requests_per_client: list[list[bytes]]) -> tuple[list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start = asyncio.Event()

    async def client(requests: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await start.wait()
        for raw in requests:
            status, ms = await exchange(reader, writer, raw)
            latencies.append(ms)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    tasks = [asyncio.create_task(client(r)) for r in requests_per_client]
    await asyncio.sleep(0.2)  # every connection open before the first request
    start.set()
    await asyncio.gather(*tasks)
    return latencies, statuses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    args = parser.parse_args()
    token = "bench-" + os.urandom(8).hex()
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        db = Path(tmp) / "consents.sqlite3"
        port = free_port()
        server = start_server(db, port, token)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
                codes = []
                for _ in range(args.clients * args.per_client):
                    answer = api.post(
                        "/api/v1/sessions",
                        json={"technician": "Bench", "join_url": "https://assist.zoho.com/join?role=A&key=1"},
                    )
                    answer.raise_for_status()
                    codes.append(answer.json()["code"])
            health = [[request_bytes("GET", "/healthz")] * args.per_client for _ in range(args.clients)]
            consents = []
            for i in range(args.clients):
                mine = codes[i * args.per_client : (i + 1) * args.per_client]
                bodies = [json.dumps(make_record(code)).encode() for code in mine]
                raws = [request_bytes("POST", f"/api/v1/sessions/{code}/consent", body) for code, body in zip(mine, bodies, strict=True)]
                consents.append(raws + raws[:1])  # the repeat must be answered, not stored again

            base_ms, base_status = asyncio.run(run_load(port, health))
            post_ms, post_status = asyncio.run(run_load(port, consents))
            with sqlite3.connect(db) as conn:
                stored = conn.execute("SELECT count(*) FROM consents").fetchone()[0]
        finally:
            server.terminate()
            server.wait(timeout=10)

    expected = args.clients * args.per_client
    print(f"clients: {args.clients}, consents: {expected} (+{args.clients} repeats), loopback, server in its own process")
    print(f"baseline GET /healthz   p50 {statistics.median(base_ms):6.1f} ms  p99 {percentile(base_ms, 0.99):6.1f} ms  {base_status}")
    print(f"consent POST            p50 {statistics.median(post_ms):6.1f} ms  p99 {percentile(post_ms, 0.99):6.1f} ms  {post_status}")
    ratio = percentile(post_ms, 0.99) / percentile(base_ms, 0.99)
    print(f"p99 ratio consent/baseline: {ratio:.2f}x")
    lost = expected - stored
    print(f"stored consents: {stored} of {expected} (lost or doubled: {lost})")
    ok = percentile(post_ms, 0.99) <= BUDGET_P99_MS and stored == expected and post_status.get(201) == expected + args.clients
    print(f"budget p99 <= {BUDGET_P99_MS:.0f} ms and nothing lost: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
