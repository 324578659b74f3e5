"""Open apps refresh against a bare psutil loop over the same process table.

One refresh (list the windows, one psutil snapshot, group, flag) is timed against
``[p.info for p in psutil.process_iter(['pid', 'name'])]``, alternating the two so both see the
same table, first as the machine is and then with 500 extra idle processes this script starts
(and always ends). Budget: one refresh costs at most 1.5 times the bare loop.

Where ``Xvfb`` exists the refresh runs the X11 backend against a private Xvfb with three
stand-in applications (two catalogued, one helper-spawning), as on a Linux desktop; without it,
the process-list backend. Run with ``make bench-open-apps``.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.open_apps import OpenAppsScanner  # noqa: E402
from app.core.open_apps.linux_x11 import X11Backend  # noqa: E402
from app.core.open_apps.process_list import ProcessListBackend  # noqa: E402
from testbed.xvfb import start_xvfb, xvfb_missing  # noqa: E402

BUDGET = 1.5
FAKE_APP = ROOT / "tests" / "open_apps_fake_app.py"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Started processes must never outlive an interrupted benchmark.
    ctypes.CDLL(ctypes.util.find_library("c")).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _read_line(stream, seconds: float) -> str:
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ""


def start_private_xvfb() -> tuple[subprocess.Popen, str] | None:
    if xvfb_missing():
        return None
    try:
        return start_xvfb("1024x768x24", preexec_fn=_die_with_parent)
    except RuntimeError:
        return None


def start_stand_ins(display: str) -> list[subprocess.Popen]:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    started = []
    for name, *options in (("thunderbird", "--windows", "2", "--helpers", "2"), ("keepassxc",), ("fakeclock",)):
        proc = subprocess.Popen([sys.executable, str(FAKE_APP), "--name", name, *options], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        started.append(proc)
        if _read_line(proc.stdout, 60).strip() != "ready":
            raise SystemExit(f"the stand-in {name} did not start")
    return started


def start_idle(count: int) -> list[subprocess.Popen]:
    sleeper = shutil.which("sleep") or "/bin/sleep"
    return [subprocess.Popen([sleeper, "3600"], preexec_fn=_die_with_parent) for _ in range(count)]


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.kill()
    for proc in processes:
        proc.wait()


def bare_loop() -> int:
    return len([p.info for p in psutil.process_iter(["pid", "name"])])


def measure(scanner: OpenAppsScanner, rounds: int) -> tuple[float, float, int, int]:
    """Median seconds of the bare loop and of one refresh, interleaved round by round."""
    bare, refresh = [], []
    for _ in range(3):  # warm both: psutil's process cache, the catalogue, the X connection
        bare_loop()
        scanner.scan()
    apps = 0
    for _ in range(rounds):
        start = time.perf_counter()
        processes = bare_loop()
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        apps = len(scanner.scan().apps)
        refresh.append(time.perf_counter() - start)
    return statistics.median(bare), statistics.median(refresh), processes, apps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--idle", type=int, default=500, help="extra idle processes for the second run")
    args = parser.parse_args()

    owned: list[subprocess.Popen] = []
    server = None
    try:
        xvfb = start_private_xvfb()
        if xvfb is not None:
            server, display = xvfb
            owned += start_stand_ins(display)
            scanner = OpenAppsScanner(X11Backend(display))
            backend = f"X11 backend on a private Xvfb {display} with 3 stand-in apps"
        else:
            scanner = OpenAppsScanner(ProcessListBackend())
            backend = "process-list backend (no Xvfb here)"
        print(f"open apps refresh vs bare psutil.process_iter(['pid', 'name']); {backend}")
        print(f"{'table':>28} {'processes':>9} {'apps':>5} {'bare ms':>8} {'refresh ms':>10} {'ratio':>6}")
        worst = 0.0
        for label, extra in (("as the machine is", 0), (f"+{args.idle} idle processes", args.idle)):
            idle = start_idle(extra)
            owned += idle
            try:
                bare, refresh, processes, apps = measure(scanner, args.rounds)
            finally:
                stop(idle)
            ratio = refresh / bare
            worst = max(worst, ratio)
            print(f"{label:>28} {processes:>9} {apps:>5} {bare * 1000:>8.2f} {refresh * 1000:>10.2f} {ratio:>5.2f}x")
        verdict = "within" if worst <= BUDGET else "OVER"
        print(f"worst ratio {worst:.2f}x: {verdict} the {BUDGET}x budget (medians of {args.rounds} interleaved rounds)")
        return 0 if worst <= BUDGET else 1
    finally:
        stop(owned)
        if server is not None:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
