"""Load benchmark of several consent-server processes on one PostgreSQL, beside the SQLite figure.

    make bench-server-pg     # or: .venv/bin/python benchmarks/bench_server_pg.py [--clients 200 --processes 4]

Starts a private PostgreSQL cluster (initdb/pg_ctl in a temporary folder, fsync and
synchronous_commit on, as a real installation) and N ``python -m server serve --database ...``
processes on it, each on its own port, as behind a load balancer: client i talks to process
i mod N over one keep-alive connection. One session per consent is opened beforehand. Each run
measures, from the same clients:

* baseline: ``GET /healthz`` (the HTTP stack alone, no database);
* consent: ``POST /api/v1/sessions/<code>/consent``, each client repeating its first receipt
  once (answered, not stored twice);

then counts what the database holds (nothing lost, nothing doubled). Rows:

1. SQLite, one process, 50 clients (the embedded default, ``make bench-server``'s set-up);
2. PostgreSQL, N processes, 200 clients;
3. PostgreSQL, N processes, 200 clients, one process killed with SIGKILL in the middle of the
   load: its clients reconnect to the next process and send the same request again (same receipt
   id), as the launcher's retry does. Afterwards every receipt that got a 201 from the killed
   process is sent to the others once more, and must get the very same bytes.

Budget (DESIGN.md): p99 consent POST <= 50 ms, nothing lost or doubled, also when a process dies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from testbed.consent_records import make_record
from testbed.postgres_cluster import PostgresCluster

BUDGET_P99_MS = 50.0
JOIN_URL = "https://assist.zoho.com/join?role=A&key=1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_servers(location_args: list[str], count: int, token: str, log_dir: Path) -> list[Server]:
    servers = []
    for index in range(count):
        port = free_port()
        with (log_dir / f"server-{index}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", *location_args, "--host", "127.0.0.1", "--port", str(port),
                 "--lookup-failures", "1000000"],
                env={**os.environ, "PHONETEX_TECHNICIAN_TOKEN": token},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        servers.append(Server(port, process))
    deadline = time.monotonic() + 60
    for server in servers:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.process.poll() is not None or time.monotonic() > deadline:
                for each in servers:
                    each.stop()
                raise SystemExit(f"a server did not start: {(log_dir / 'server-0.log').read_text()[-2000:]}")
            time.sleep(0.05)
    return servers


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, bytes]:
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    # receipt id -> (port that answered, body) of every 201
    answers: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    retried: int = 0


@dataclass(frozen=True)
class Request:
    raw: bytes
    receipt_id: str | None = None


async def run_load(ports: list[int], per_client: list[list[Request]], kill: tuple[Server, int] | None = None) -> Load:
    """Each client sends its requests over one connection to ports[i % len]; a connection that
    breaks (its process died) is opened again to the next port and the request sent again."""
    load = Load()
    start = asyncio.Event()
    done = 0
    total = sum(len(requests) for requests in per_client)
    dead: set[int] = set()

    async def client(index: int, requests: list[Request]) -> None:
        nonlocal done
        port_index = index % len(ports)
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[port_index])
        await start.wait()
        for request in requests:
            # Timed from the first try: a customer whose process died waits for the retry too.
            began = time.perf_counter()
            while True:
                try:
                    status, body = await exchange(reader, writer, request.raw)
                    break
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    # The launcher's retry: the same bytes (same receipt id) to the next process.
                    load.retried += 1
                    writer.close()
                    dead.add(ports[port_index])
                    while ports[port_index] in dead:
                        port_index = (port_index + 1) % len(ports)
                    reader, writer = await asyncio.open_connection("127.0.0.1", ports[port_index])
            load.latencies.append((time.perf_counter() - began) * 1000)
            load.statuses[status] = load.statuses.get(status, 0) + 1
            if status == 201 and request.receipt_id:
                load.answers.setdefault(request.receipt_id, []).append((ports[port_index], body))
            done += 1
        writer.close()

    async def killer() -> None:
        assert kill is not None
        victim, after = kill
        while done < after:
            await asyncio.sleep(0.001)
        os.kill(victim.process.pid, signal.SIGKILL)

    tasks = [asyncio.create_task(client(i, requests)) for i, requests in enumerate(per_client)]
    if kill is not None:
        tasks.append(asyncio.create_task(killer()))
    await asyncio.sleep(0.3)  # every connection open before the first request
    start.set()
    await asyncio.gather(*tasks)
    assert done == total
    return load


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def open_sessions(port: int, token: str, count: int) -> list[str]:
    codes = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as api:
        for _ in range(count):
            answer = api.post("/api/v1/sessions", json={"technician": "Bench", "join_url": JOIN_URL})
            answer.raise_for_status()
            codes.append(answer.json()["code"])
    return codes


def consent_requests(codes: list[str], clients: int, per_client: int) -> list[list[Request]]:
    requests = []
    for i in range(clients):
        mine = codes[i * per_client : (i + 1) * per_client]
        records = [make_record(code) for code in mine]
        own = [
            Request(request_bytes("POST", f"/api/v1/sessions/{r['session_code']}/consent", json.dumps(r).encode()), r["receipt_id"])
            for r in records
        ]
        requests.append([*own, own[0]])  # the repeat must be answered, not stored again
    return requests


@dataclass
class Row:
    name: str
    clients: int
    processes: int
    health_ms: list[float]
    consent_ms: list[float]
    statuses: dict[int, int]
    stored: int
    expected: int
    extra: str = ""

    @property
    def ok(self) -> bool:
        return percentile(self.consent_ms, 0.99) <= BUDGET_P99_MS and self.stored == self.expected

    def line(self) -> str:
        h50, h99 = statistics.median(self.health_ms), percentile(self.health_ms, 0.99)
        c50, c99 = statistics.median(self.consent_ms), percentile(self.consent_ms, 0.99)
        return (
            f"| {self.name} | {self.clients} | {self.processes} | {h50:.1f} / {h99:.1f} | {c50:.1f} / {c99:.1f} "
            f"| {c99 / h99:.2f}x | {self.stored} of {self.expected} | {self.extra or '-'} |"
        )


def measure(
    name: str, location_args: list[str], count_stored, *, clients: int, processes: int, per_client: int,
    token: str, log_dir: Path, kill_after: float | None = None,
) -> Row:
    servers = start_servers(location_args, processes, token, log_dir)
    try:
        ports = [server.port for server in servers]
        codes = open_sessions(ports[0], token, clients * per_client)
        health = [[Request(request_bytes("GET", "/healthz"))] * per_client for _ in range(clients)]
        consents = consent_requests(codes, clients, per_client)
        base = asyncio.run(run_load(ports, health))
        kill = None
        if kill_after is not None:
            kill = (servers[0], int(kill_after * sum(len(r) for r in consents)))
        load = asyncio.run(run_load(ports, consents, kill))
        extra = ""
        if kill is not None:
            extra = check_after_kill(servers, load, codes)
        stored = count_stored()
    finally:
        for server in servers:
            server.stop()
    expected = clients * per_client
    row = Row(name, clients, processes, base.latencies, load.latencies, load.statuses, stored, expected, extra)
    if load.statuses.get(201, 0) != expected + clients:
        row.extra += f" statuses {load.statuses}"
        row.stored = -1  # marks the row failed: every consent and every repeat must get its 201
    return row


def check_after_kill(servers: list[Server], load: Load, codes: list[str]) -> str:
    """Every receipt answered by the killed process, sent again to the survivors: same bytes?"""
    victim = servers[0].port
    survivors = [server.port for server in servers[1:]]
    from_victim = [answers[0][1] for answers in load.answers.values() if answers[0][0] == victim]
    mismatched = 0
    with httpx.Client(timeout=30) as client:
        # Each request is rebuilt from the answer: the same record, so the same receipt id.
        for i, body in enumerate(from_victim):
            receipt = json.loads(body)["receipt"]
            record = {key: value for key, value in receipt.items() if key != "received_at"}
            port = survivors[i % len(survivors)]
            again = client.post(f"http://127.0.0.1:{port}/api/v1/sessions/{record['session_code']}/consent", json=record)
            if again.status_code != 201 or again.content != body:
                mismatched += 1
    # Retries of requests in flight when the process died also must agree with what is stored.
    differing = sum(1 for answers in load.answers.values() if len({body for _, body in answers}) > 1)
    return (
        f"killed 1 process; {load.retried} requests retried on the others; {len(from_victim)} receipts it had "
        f"answered replayed to the others: {mismatched} different; receipts answered twice differently: {differing}"
    )


def _writer_process(url: str, mode: str, count: int, threads: int, out) -> None:
    """One "server process" of the group-commit comparison: ``count`` consents written either in
    batches of ``count / threads`` (one transaction each, as the group-commit writer does), or each
    in its own transaction from ``threads`` threads at once (a connection each)."""
    from concurrent.futures import ThreadPoolExecutor

    from app.core.terms import load_terms
    from server.domain.consents import prepare_consent, record_consent, record_consents
    from server.domain.sessions import open_session
    from server.storage import open_store

    terms = load_terms()
    store = open_store(url)
    try:
        codes = [
            open_session(store, technician="Bench", ticket=None, join_url=JOIN_URL, provider="zoho-assist",
                         expires_in_minutes=60).code
            for _ in range(count)
        ]
        records = [make_record(code) for code in codes]
        latencies: list[float] = []
        began = time.perf_counter()
        if mode == "group commit":
            size = max(1, count // threads)
            for start in range(0, count, size):
                chunk = records[start : start + size]
                t = time.perf_counter()
                outcomes = record_consents(store, [prepare_consent(r["session_code"], r, terms=terms) for r in chunk])
                assert all(isinstance(outcome, bytes) for outcome in outcomes)
                latencies += [(time.perf_counter() - t) * 1000] * len(chunk)
        else:
            def one(record: dict) -> float:
                t = time.perf_counter()
                record_consent(store, record["session_code"], record, terms=terms)
                return (time.perf_counter() - t) * 1000

            with ThreadPoolExecutor(threads) as pool:
                latencies = list(pool.map(one, records))
        out.put((time.perf_counter() - began, latencies))
    finally:
        store.close()


def group_commit_comparison(cluster: PostgresCluster, processes: int, per_process: int, threads: int) -> list[str]:
    """Does writing many consents in one transaction still pay on PostgreSQL? Same cluster, same
    number of writer processes, the two ways, alternated twice."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results: dict[str, list[tuple[float, list[float]]]] = {"group commit": [], "one transaction each": []}
    for round_ in range(2):
        for mode in results:
            database = f"writers_{round_}_{mode.split()[0]}"
            cluster.psql(f"CREATE DATABASE {database}")
            out = context.Queue()
            workers = [
                context.Process(target=_writer_process, args=(cluster.url(database), mode, per_process, threads, out))
                for _ in range(processes)
            ]
            for worker in workers:
                worker.start()
            got = [out.get(timeout=300) for _ in workers]
            for worker in workers:
                worker.join(timeout=60)
            wall = max(seconds for seconds, _ in got)
            results[mode].append((wall, [ms for _, each in got for ms in each]))
    lines = [
        f"| writing consents ({processes} processes x {per_process}, {threads} at once each) | consents/s | "
        "per consent p50 / p99 ms |",
        "| --- | --- | --- |",
    ]
    for mode, runs in results.items():
        wall = statistics.median(seconds for seconds, _ in runs)
        latencies = [ms for _, each in runs for ms in each]
        lines.append(
            f"| {mode} | {processes * per_process / wall:.0f} | "
            f"{statistics.median(latencies):.1f} / {percentile(latencies, 0.99):.1f} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--sqlite-clients", type=int, default=50)
    parser.add_argument("--skip-load", action="store_true", help="only the group-commit comparison")
    args = parser.parse_args()
    token = "bench-" + os.urandom(8).hex()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-server-pg-") as tmp:
        folder = Path(tmp)
        db = folder / "consents.sqlite3"

        def sqlite_count() -> int:
            with sqlite3.connect(db) as conn:
                return conn.execute("SELECT count(*) FROM consents").fetchone()[0]

        if not args.skip_load:
            rows.append(
                measure("SQLite", ["--db", str(db)], sqlite_count, clients=args.sqlite_clients, processes=1,
                        per_client=args.per_client, token=token, log_dir=folder)
            )
        import psycopg

        with PostgresCluster(durable=True, max_connections=100) as cluster:
            loads = () if args.skip_load else (
                ("PostgreSQL", None, []),
                ("PostgreSQL, --group-commit on", None, ["--group-commit", "on"]),
                ("PostgreSQL, one process killed", 0.3, []),
            )
            for name, kill_after, options in loads:
                database = f"bench_{len(rows)}"
                cluster.psql(f"CREATE DATABASE {database}")
                url = cluster.url(database)

                def pg_count(url: str = url) -> int:
                    with psycopg.connect(url) as conn:
                        row = conn.execute("SELECT count(*), count(DISTINCT receipt_id) FROM consents").fetchone()
                        assert row is not None and row[0] == row[1]  # a receipt twice would be a double
                        return int(row[0])

                rows.append(
                    measure(name, ["--database", url, *options], pg_count, clients=args.clients, processes=args.processes,
                            per_client=args.per_client, token=token, log_dir=folder, kill_after=kill_after)
                )
            writers = group_commit_comparison(cluster, args.processes, 200, 8)
    print(f"loopback, each server its own process, {args.per_client} consents per client (+1 repeat); "
          f"{os.cpu_count()} CPUs")
    print("| engine | clients | processes | GET /healthz p50 / p99 ms | consent POST p50 / p99 ms | p99 ratio | stored | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(row.line())
    print()
    print("\n".join(writers))
    ok = all(row.ok for row in rows)
    print(f"budget p99 <= {BUDGET_P99_MS:.0f} ms and nothing lost or doubled: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
