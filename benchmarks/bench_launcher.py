"""Size, start-up time and memory of the single-file launcher against a naive bare-QWizard build.

    make bench-launcher            (builds dist/Phonetex-Support first if it is out of date)
    .venv/bin/python benchmarks/bench_launcher.py --launcher dist/Phonetex-Support [--runs 7]

In the same run it builds the baseline the budgets are quoted against (DESIGN.md): a bare PySide6
QWizard (benchmarks/bare_wizard.py) built with ``pyinstaller --onefile`` and no care. Then it
starts both files alternately, offscreen, with ``--exit-when-shown`` (exit 0 once the first page
has painted), and reports the median wall time from start to exit, the ratio, the files' sizes and
the launcher's peak memory. A single file is two processes: the bootloader, which unpacks the
archive, and the real program it starts; memory is the program's peak plus the bootloader's.

Exit status 0 when every budget holds, 1 when one does not. Nothing is left behind: every run
gets a fresh HOME, XDG folders and TMPDIR, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
SIZE_BUDGET_MIB = 35
START_BUDGET_RATIO = 0.75
RSS_BUDGET_MIB = 150


@dataclass
class Run:
    seconds: float
    program_peak_mib: float
    bootloader_peak_mib: float

    @property
    def peak_mib(self) -> float:
        return self.program_peak_mib + self.bootloader_peak_mib


def build_bare_wizard(work: Path) -> Path:
    """The naive baseline, built the way a first attempt would: ``pyinstaller --onefile`` and nothing else."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--onefile", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(work / "dist"), "--workpath", str(work / "work"), "--specpath", str(work),
            str(ROOT / "benchmarks" / "bare_wizard.py"),
        ],
        check=True,
    )
    print(f"built the bare QWizard baseline in {time.perf_counter() - started:.0f} s", flush=True)
    return work / "dist" / "bare_wizard"


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_once(executable: Path, sandbox: Path, watch_memory: bool) -> Run:
    """Start ``executable --exit-when-shown`` in a fresh user environment and wait for it.

    Timed runs only wait; memory runs also poll /proc, which costs CPU the timing should not see.
    """
    for name in ("home", "tmp", "config", "cache", "data", "state", "runtime"):
        (sandbox / name).mkdir(mode=0o700)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))},
        "HOME": str(sandbox / "home"),
        "TMPDIR": str(sandbox / "tmp"),
        "XDG_CONFIG_HOME": str(sandbox / "config"),
        "XDG_CACHE_HOME": str(sandbox / "cache"),
        "XDG_DATA_HOME": str(sandbox / "data"),
        "XDG_STATE_HOME": str(sandbox / "state"),
        "XDG_RUNTIME_DIR": str(sandbox / "runtime"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    started = time.perf_counter()
    process = subprocess.Popen([str(executable), "--exit-when-shown"], env=env, stdout=subprocess.DEVNULL)
    bootloader_hwm = 0
    child_hwm = 0
    parent = psutil.Process(process.pid)
    # Poll the bootloader's own high-water mark (VmHWM only grows) and its child's; the child's
    # exact peak comes from the kernel when it has been reaped (ru_maxrss below).
    while True:
        finished_pid, status, usage = os.wait4(process.pid, 0 if not watch_memory else os.WNOHANG)
        if finished_pid:
            break
        bootloader_hwm = max(bootloader_hwm, _status_kib(process.pid, "VmHWM"))
        try:
            for child in parent.children():
                child_hwm = max(child_hwm, _status_kib(child.pid, "VmHWM"))
        except psutil.Error:
            pass
        time.sleep(0.002)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{executable} --exit-when-shown exited with {process.returncode}")
    # ru_maxrss of a reaped process covers it and the children it reaped: the bigger of the two,
    # which is the program, not the bootloader.
    program_kib = max(usage.ru_maxrss, child_hwm)
    if child_hwm == 0:  # a plain program with no child: the whole peak is its own
        return Run(seconds, usage.ru_maxrss / 1024, 0.0)
    return Run(seconds, program_kib / 1024, bootloader_hwm / 1024)


def measure(executables: dict[str, Path], runs: int, watch_memory: bool) -> dict[str, list[Run]]:
    results: dict[str, list[Run]] = {name: [] for name in executables}
    with tempfile.TemporaryDirectory(prefix="bench-launcher-") as scratch:
        for round_number in range(runs + 1):
            # Alternate the files so a busy moment on the machine hits both alike.
            order = list(executables.items())
            if round_number % 2:
                order.reverse()
            for name, executable in order:
                sandbox = Path(scratch) / f"{name}-{round_number}"
                sandbox.mkdir()
                run = run_once(executable, sandbox, watch_memory)
                leftovers = list((sandbox / "tmp").iterdir())
                if leftovers:
                    raise SystemExit(f"{name} left {leftovers} in its temporary folder")
                shutil.rmtree(sandbox)
                if round_number > 0:  # the first round only warms the disk cache
                    results[name].append(run)
    return results


def verdict(ok: bool) -> str:
    return "within budget" if ok else "OVER BUDGET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launcher", type=Path, default=ROOT / "dist" / "Phonetex-Support")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each file (at least 5)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench-bare-wizard")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    if not args.launcher.is_file():
        parser.error(f"{args.launcher} does not exist: run `make launcher` first")

    bare = build_bare_wizard(args.work)
    files = {"launcher": args.launcher, "bare": bare}
    results = measure(files, args.runs, watch_memory=False)
    memory = measure(files, 3, watch_memory=True)

    size = args.launcher.stat().st_size / MIB
    bare_size = bare.stat().st_size / MIB
    start = statistics.median(run.seconds for run in results["launcher"])
    bare_start = statistics.median(run.seconds for run in results["bare"])
    peak = max(run.peak_mib for run in memory["launcher"])
    program_peak = max(run.program_peak_mib for run in memory["launcher"])
    bootloader_peak = max(run.bootloader_peak_mib for run in memory["launcher"])
    bare_peak = max(run.peak_mib for run in memory["bare"])
    ratio = start / bare_start
    budgets = (size <= SIZE_BUDGET_MIB, ratio <= START_BUDGET_RATIO, peak <= RSS_BUDGET_MIB)

    print()
    print(f"launcher: {args.launcher}   baseline: bare QWizard, pyinstaller --onefile ({bare})")
    print(
        f"size:        {size:6.1f} MiB   bare {bare_size:5.1f} MiB   ratio {size / bare_size:.2f}   "
        f"budget <= {SIZE_BUDGET_MIB} MiB: {verdict(budgets[0])}"
    )
    print(
        f"first paint: {start:6.3f} s     bare {bare_start:5.3f} s     ratio {ratio:.2f}   "
        f"budget <= {START_BUDGET_RATIO:.2f} x bare: {verdict(budgets[1])}   "
        f"(median of {args.runs}, offscreen, --exit-when-shown)"
    )
    print(
        f"peak memory: {peak:6.1f} MiB   bare {bare_peak:5.1f} MiB   ratio {peak / bare_peak:.2f}   "
        f"budget <= {RSS_BUDGET_MIB} MiB: {verdict(budgets[2])}   "
        f"(program {program_peak:.1f} + bootloader {bootloader_peak:.1f}, worst of 3)"
    )
    print("runs (s): launcher " + " ".join(f"{r.seconds:.3f}" for r in results["launcher"]))
    print("runs (s): bare     " + " ".join(f"{r.seconds:.3f}" for r in results["bare"]))
    return 0 if all(budgets) else 1


if __name__ == "__main__":
    sys.exit(main())
