"""The load the server benchmarks put on real server processes: keep-alive clients, each sending
its own requests one after another over one connection, and the figures they print.

Two ways to load:

* closed loop (``rate=None``): each client sends its next request as soon as the last one is
  answered, so latency is about clients / throughput once the server is the queue;
* offered rate (``rate=R``): the same clients send R requests per second between them, each at
  its scheduled time; a request is timed from that time, so one that had to wait for the answer
  before it is late by that wait (no "coordinated omission": a slow server cannot hide its queue).

A connection that breaks (its process died) is opened again to the next port and the same bytes
are sent again, as the launcher's retry does; the wait counts in that request's time.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import psutil


def request_bytes(method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, bytes]:
    """Send one request, read its answer: (status, body)."""
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


@dataclass(frozen=True)
class Request:
    raw: bytes
    receipt_id: str | None = None  # a consent's: its 201 answers are kept to compare


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # ms
    statuses: dict[int, int] = field(default_factory=dict)
    # receipt id -> (port that answered, body) of every 201
    answers: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    retried: int = 0
    seconds: float = 0.0  # from the first request to the last answer

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


class _Connection:
    """One client's keep-alive connection; when its process dies, the next live port's."""

    def __init__(self, ports: Sequence[int], index: int, dead: set[int], load: Load) -> None:
        self.ports, self.dead, self.load = ports, dead, load
        self.port_index = index % len(ports)

    @property
    def port(self) -> int:
        return self.ports[self.port_index]

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        while True:
            try:
                return await exchange(self.reader, self.writer, raw)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                # The launcher's retry: the same bytes (same receipt id) to the next process.
                self.load.retried += 1
                self.writer.close()
                self.dead.add(self.port)
                if len(self.dead) == len(self.ports):
                    raise
                while self.port in self.dead:
                    self.port_index = (self.port_index + 1) % len(self.ports)
                await self.open()

    def close(self) -> None:
        self.writer.close()


async def run_load(
    ports: Sequence[int],
    per_client: Sequence[Sequence[Request]],
    *,
    rate: float | None = None,
    kill: tuple[Callable[[], None], int] | None = None,
) -> Load:
    """Client i talks to ``ports[i % len(ports)]``. ``rate``: requests per second offered by all
    clients together (None: closed loop). ``kill``: (what kills a process, after how many answers)."""
    load = Load()
    start = asyncio.Event()
    total = sum(len(requests) for requests in per_client)
    dead: set[int] = set()
    began = 0.0

    async def client(index: int, requests: Sequence[Request]) -> None:
        connection = _Connection(ports, index, dead, load)
        await connection.open()
        await start.wait()
        for number, request in enumerate(requests):
            sent = time.perf_counter()
            if rate is not None:
                # Client i's k-th request is due at (i + k * clients) / rate: spread evenly.
                due = began + (index + number * len(per_client)) / rate
                if due > sent:
                    await asyncio.sleep(due - sent)
                sent = due
            status, body = await connection.send(request.raw)
            load.latencies.append((time.perf_counter() - sent) * 1000)
            load.statuses[status] = load.statuses.get(status, 0) + 1
            if status == 201 and request.receipt_id:
                load.answers.setdefault(request.receipt_id, []).append((connection.port, body))
        connection.close()

    async def killer() -> None:
        assert kill is not None
        kill_one, after = kill
        while len(load.latencies) < after:
            await asyncio.sleep(0.001)
        kill_one()

    tasks = [asyncio.create_task(client(i, requests)) for i, requests in enumerate(per_client)]
    if kill is not None:
        tasks.append(asyncio.create_task(killer()))
    await asyncio.sleep(0.3)  # every connection open before the first request
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    load.seconds = time.perf_counter() - began
    assert len(load.latencies) == total
    return load


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def p50_p99(values: Sequence[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.99)


class ServerCpu:
    """CPU seconds the server processes (and their workers) spent: a figure the other programs
    on a shared machine disturb far less than latency."""

    def __init__(self, pids: Sequence[int]) -> None:
        self._processes = [psutil.Process(pid) for pid in pids]

    def seconds(self) -> float:
        total = 0.0
        for process in self._processes:
            try:
                family = [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue  # killed on purpose; what it spent is gone with it
            for each in family:
                try:
                    times = each.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                total += times.user + times.system
        return total


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"
