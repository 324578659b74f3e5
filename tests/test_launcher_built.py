"""The built single file: it checks itself, and it leaves nothing behind.

Runs only against a built launcher (minutes to build), so not in ``make test``:
``make launcher-check`` sets PHONETEX_LAUNCHER=dist/Phonetex-Support and runs this file.

Every run gets a fresh HOME, XDG folders, TMPDIR and working folder, and afterwards every file
left in any of them is listed. The documented files are the log (only when something went wrong)
and the consent receipt (only after permission was recorded); none of these runs records a
consent, so each must leave nothing at all. How each way out is produced:

- cancel: a real window under Xvfb, Escape pressed with xdotool (a customer pressing Cancel);
- SIGTERM to the single file (logging out, ``kill``): the bootloader passes it on, then cleans up;
- a hard crash of the program (SIGKILL of the unpacked child, standing in for a segfault in a
  page) and Qt's own fatal exit when no display can be opened;
- a Python exception in a page: the frozen ``--self-test`` runs the real crash handler on a page
  that fails on purpose, in the built file. The production build has no switch to crash a page.
- the support bar's exit: the frozen ``--self-test`` shows the real bar offscreen with its
  provider's program gone, and the bar closing itself must end the event loop with 0, the same
  way out as Finish. The built file only talks to the brand's server over verified TLS, so no
  test here takes it through the wizard to a live bar (tests/test_support_bar.py does that from
  source, under Xvfb with a stand-in Zoho Assist program).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from testbed.xvfb import private_xvfb, xvfb_missing
from tests.fresh_account import files_left, fresh_user_env

LAUNCHER = os.environ.get("PHONETEX_LAUNCHER")
if not LAUNCHER:
    pytest.skip("tests the built file: run `make launcher-check`", allow_module_level=True)
LAUNCHER_PATH = Path(LAUNCHER).resolve()
ROOT = Path(__file__).resolve().parents[1]
DEADLINE_S = 30


@pytest.fixture
def sandbox(tmp_path):
    """A customer account that never ran the launcher, and the launcher's environment in it."""
    folders, env = fresh_user_env(tmp_path)
    return tmp_path, folders, env


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_launcher_outlives_its_test():
    """A failing test must not leave the launcher (bootloader and program) running."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            process.wait(timeout=DEADLINE_S)


def start(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(LAUNCHER_PATH), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # No core files: they would be the system's, not the launcher's, but would muddle the listing.
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)),
    )
    _started.append(process)
    return process


def wait_until(condition, what: str, deadline_s: float = DEADLINE_S):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def unpacked_program(process: subprocess.Popen, tmp: Path) -> psutil.Process:
    """Wait until the bootloader has unpacked into TMPDIR and started the real program."""
    wait_until(lambda: any(tmp.glob("_MEI*")), "the unpack folder")
    return wait_until(lambda: next(iter(psutil.Process(process.pid).children()), None), "the unpacked program")


def gui_started(program: psutil.Process) -> bool:
    """The program has loaded Qt's platform plugin: its QApplication exists."""
    try:
        return any("libqoffscreen" in mapping.path for mapping in program.memory_maps())
    except psutil.Error:
        return False


def test_the_self_test_passes_in_the_built_file_and_leaves_nothing(sandbox):
    root, folders, env = sandbox
    done = subprocess.run(
        [str(LAUNCHER_PATH), "--self-test"], env=env, cwd=folders["cwd"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    # Frozen, every check applies: none is skipped.
    assert all(line.startswith("ok") for line in lines[:-1]), done.stdout
    assert any(line.startswith("ok    release lock:") for line in lines)
    assert any(line.startswith("ok    crash handler:") for line in lines)
    # The frozen support bar, once its program ended, closes itself and ends the event loop with 0
    # (app.self_test.check_support_bar_exit): after that the unpack folder must be gone too.
    assert any(line.startswith("ok    support bar exit:") for line in lines)
    assert files_left(root) == []


def test_the_built_file_reports_the_projects_version(sandbox):
    import tomllib

    root, folders, env = sandbox
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = subprocess.run([str(LAUNCHER_PATH), "--version"], env=env, cwd=folders["cwd"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.split() == ["phonetex-support", version]
    assert files_left(root) == []


def test_development_switches_are_refused_by_the_built_file(sandbox):
    root, folders, env = sandbox
    for args in (["--demo"], ["--server", "http://127.0.0.1:9"]):
        done = subprocess.run([str(LAUNCHER_PATH), *args], env=env, cwd=folders["cwd"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr
    assert files_left(root) == []


@pytest.fixture
def x_display():
    """A private X server, for a real window as a customer gets it."""
    if xvfb_missing() or shutil.which("xdotool") is None:
        pytest.skip("needs Xvfb and xdotool (make system-deps)")
    with private_xvfb("1280x900x24") as display:
        yield display


def bus_daemons_started_for(home: Path) -> list[psutil.Process]:
    """D-Bus daemons (and dbus-launch) running with ``home`` as their HOME: started for that account."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if (process.info["name"] or "").startswith("dbus") and process.environ().get("HOME") == str(home):
                found.append(process)
        except psutil.Error:
            continue
    return found


def test_cancelling_the_wizard_leaves_nothing_not_even_a_session_bus(sandbox, x_display):
    """A real window on an X display with no session bus running. Where Debian's dbus-x11 is
    installed (make system-deps installs it), libdbus would autolaunch a bus daemon and write
    ~/.dbus/session-bus/...: the launcher goes without a bus instead (app/core/session_bus.py)."""
    root, folders, env = sandbox
    env.update(DISPLAY=x_display, QT_QPA_PLATFORM="xcb")
    assert not any(key.startswith("DBUS_") for key in env)
    process = start(env, folders["cwd"])
    xdotool_env = {"DISPLAY": x_display, "PATH": os.environ["PATH"]}

    def visible_wizard() -> str | None:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "remote support"],
            env=xdotool_env, capture_output=True, text=True,
        )
        return found.stdout.split()[0] if found.stdout.split() else None

    window = wait_until(visible_wizard, "the wizard window")
    assert any(folders["tmp"].glob("_MEI*")), "the single file unpacks into TMPDIR while it runs"
    # Escape is the wizard's Cancel; on the first page it closes without a question.
    subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "Escape"], env=xdotool_env, check=True)
    assert process.wait(timeout=DEADLINE_S) == 0
    stderr = process.stderr.read()
    assert "Traceback" not in stderr, stderr
    daemons = bus_daemons_started_for(folders["home"])
    for daemon in daemons:
        daemon.kill()
    assert daemons == []
    assert files_left(root) == []


def start_offscreen(sandbox) -> tuple[subprocess.Popen, psutil.Process]:
    """The single file, started offscreen, once its unpacked program has created its QApplication."""
    _root, folders, env = sandbox
    env.update(QT_QPA_PLATFORM="offscreen")
    process = start(env, folders["cwd"])
    program = unpacked_program(process, folders["tmp"])
    wait_until(lambda: gui_started(program), "the program to start its GUI")
    return process, program


def test_sigterm_to_the_single_file_leaves_nothing(sandbox):
    process, program = start_offscreen(sandbox)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=DEADLINE_S)
    wait_until(lambda: not program.is_running(), "the program to end")
    assert files_left(sandbox[0]) == []


def test_a_hard_crash_of_the_program_leaves_nothing(sandbox):
    process, program = start_offscreen(sandbox)
    program.kill()  # what a segfault in a page looks like to the bootloader
    assert process.wait(timeout=DEADLINE_S) != 0
    assert files_left(sandbox[0]) == []


def test_no_display_ends_with_qts_message_and_leaves_nothing(sandbox):
    root, folders, env = sandbox
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=":1999")
    process = start(env, folders["cwd"])
    assert process.wait(timeout=DEADLINE_S) != 0
    assert "could not connect to display" in process.stderr.read()
    assert files_left(root) == []
